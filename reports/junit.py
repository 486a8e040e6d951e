"""JUnit XML: one test case per check plus one for the gate, counts always present.

Mapping: pass -> passed; fail -> <failure>; error -> <error>; not_evaluated -> <failure
type="not_evaluated"> (fail closed: work that did not happen is never shown as a pass);
not_applicable -> <skipped> with the reason. The counts (tests, failures, errors, skipped) are
written on every element even when zero, so dashboards read a clean run correctly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405 -- builds XML from our own report; parses nothing

from baseline.model import CheckResult, Outcome, Report
from baseline.reports.redact import redact
from baseline.reports.text import printable


def _text(text: str, keep_newlines: bool = False) -> str:
    """Redacted, and with control characters escaped: XML 1.0 cannot carry them, a CI log must not run them."""
    return printable(redact(text), keep_newlines=keep_newlines)


def _seconds(result: CheckResult) -> str:
    """The time the check's evidence took (its tool runs), as JUnit's seconds."""
    return f"{sum(item.duration_s or 0.0 for item in result.evidence):.3f}"


def _detail(result: CheckResult) -> str:
    lines = [printable(result.message)]
    for finding in result.findings:
        where = ""
        if finding.location is not None:
            where = f" {finding.location.path}" + (f":{finding.location.start_line}" if finding.location.start_line else "")
        state = " (suppressed)" if finding.suppressed else ""
        lines.append(printable(f"[{finding.severity.value}] {finding.rule_id}{where}: {finding.message}{state}"))
    for evidence in result.evidence:
        if evidence.stderr_tail:
            lines.append(f"{evidence.tool or 'evidence'} stderr: {printable(evidence.stderr_tail, keep_newlines=True)}")
    return _text("\n".join(lines), keep_newlines=True)


def _case(result: CheckResult) -> tuple[ET.Element, str]:
    spec = result.spec
    case = ET.Element("testcase", {"classname": f"baseline.{spec.technique}", "name": spec.id, "time": _seconds(result)})
    kind = "passed"
    if result.outcome is Outcome.FAIL:
        ET.SubElement(case, "failure", {"message": _text(result.message), "type": "fail"}).text = _detail(result)
        kind = "failures"
    elif result.outcome is Outcome.NOT_EVALUATED:
        ET.SubElement(case, "failure", {"message": _text(f"not evaluated: {result.message}"), "type": "not_evaluated"}).text = _detail(result)
        kind = "failures"
    elif result.outcome is Outcome.ERROR:
        ET.SubElement(case, "error", {"message": _text(result.message), "type": "error"}).text = _detail(result)
        kind = "errors"
    elif result.outcome is Outcome.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", {"message": _text(f"not applicable: {result.message}")})
        kind = "skipped"
    score = "n/a" if result.score is None else f"{result.score:g}/10"
    ET.SubElement(case, "system-out").text = f"{printable(spec.title)}\noutcome: {result.outcome.value}; score: {score}"
    return case, kind


def build_junit(report: Report) -> ET.Element:
    """The JUnit document as an ElementTree element."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    cases = []
    for result in report.results:
        case, kind = _case(result)
        cases.append(case)
        counts["tests"] += 1
        if kind != "passed":
            counts[kind] += 1
    gate = ET.Element("testcase", {"classname": "baseline.gate", "name": "gate", "time": "0"})
    counts["tests"] += 1
    if not report.gate.passed:
        ET.SubElement(gate, "failure", {"message": _text("; ".join(report.gate.reasons)), "type": "gate"}).text = "\n".join(_text(reason) for reason in report.gate.reasons)
        counts["failures"] += 1
    ET.SubElement(gate, "system-out").text = f"trust score {report.breakdown.trust_score:.2f}; gate {'enabled' if report.gate.enabled else 'not enforced'}"
    cases.append(gate)
    attrs = {key: str(value) for key, value in counts.items()}
    time = f"{report.duration_s:.3f}"
    root = ET.Element("testsuites", {"name": "baseline", **attrs, "time": time})
    suite = ET.SubElement(
        root, "testsuite", {"name": f"baseline {printable(report.target.name)}", **attrs, "time": time, "timestamp": report.started[:19], "hostname": "baseline"}
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("trust_score", f"{report.breakdown.trust_score:.2f}"),
        ("gate_passed", str(report.gate.passed).lower()),
        ("catalog", f"{report.catalog_id} {report.catalog_version}"),
        ("tree_digest", report.target.tree_digest),
        *((("unconfined", "true"),) if report.unconfined else ()),
    ):
        ET.SubElement(props, "property", {"name": name, "value": value})
    suite.extend(cases)
    return root


def format_report(report: Report) -> str:
    """Render the report as JUnit XML."""
    root = build_junit(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
