"""Benchmark the accepted-findings baseline against its peers, in the same run.

1. Look-alikes (USER-ASKS 5): one shell=True call is baselined, an identical second one is added
   to the same file. How many new findings does each tool report? (bandit -b vs accepted.toml)
2. Churn (USER-ASKS 6): a secret is baselined, then three lines are inserted above it and the
   baseline is regenerated. How many lines of the baseline file change? (detect-secrets vs ours)
3. Formatter speed on a synthetic report with 5000 findings (absolute figures).

Run: python bench/bench_reports.py (or ``python -m bench --only reports``)
"""

from __future__ import annotations

import difflib
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline import sandbox  # noqa: E402
from baseline.accepted import apply_accepted, dump_accepted, entry_for  # noqa: E402
from baseline.fingerprint import assign_fingerprints  # noqa: E402
from baseline.model import CheckResult, CheckSpec, Finding, Location, Outcome, Severity  # noqa: E402
from bench.common import Options, Row, alternate, median  # noqa: E402

SPEC = CheckSpec(id="bench.bandit", technique="T03", title="bench", verifies="v", why="w", remediation="r")
LIMITS = sandbox.Limits(timeout_s=120)


def bandit(cwd: Path, *args: str) -> dict:
    result = sandbox.run([sys.executable, "-m", "bandit", "-q", "-f", "json", *args], cwd=cwd, limits=LIMITS)
    return json.loads(result.stdout)


def to_findings(data: dict) -> tuple[Finding, ...]:
    findings = [
        Finding(rule_id=item["test_id"], severity=Severity(item["issue_severity"].lower()), message=item["issue_text"], tool="bandit",
                location=Location(item["filename"], item["line_number"], item["line_number"], item["code"].split("\n", 1)[0].split(" ", 1)[-1]))
        for item in data["results"]
    ]
    return assign_fingerprints(findings)


def lookalikes(tmp: Path) -> tuple[int, int]:
    code = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
    (tmp / "app.py").write_text(code)
    first = bandit(tmp, "app.py")
    (tmp / "base.json").write_text(json.dumps(first))
    (tmp / "app.py").write_text(code + "\n\ndef run_again(cmd):\n    subprocess.call(cmd, shell=True)\n")
    second = bandit(tmp, "-b", "base.json", "app.py")
    bandit_new = len(second["results"])
    accepted = [entry_for(f, "bench", "bench", None) for f in to_findings(first)]
    again = to_findings(bandit(tmp, "app.py"))
    results, _ = apply_accepted([CheckResult(SPEC, Outcome.FAIL, 0.0, "", again)], accepted)
    ours_new = sum(1 for f in results[0].findings if not f.suppressed)
    return bandit_new, ours_new


def churn(tmp: Path) -> tuple[int, int]:
    body = 'password = "hunter2-correct-horse-battery"\n'
    (tmp / "conf.py").write_text(body)

    def secrets_baseline() -> str:
        result = sandbox.run([sys.executable, "-m", "detect_secrets", "scan", "-n", "--all-files", "conf.py"], cwd=tmp, limits=LIMITS)
        return result.stdout

    def ours() -> str:
        finding = Finding("secrets.keyword", Severity.HIGH, "hard-coded password", "detect-secrets",
                          Location("conf.py", (tmp / "conf.py").read_text().splitlines().index(body.strip()) + 1, None, body.strip()))
        return dump_accepted([entry_for(assign_fingerprints([finding])[0], "bench", "bench", None)])

    before_ds, before_ours = secrets_baseline(), ours()
    time.sleep(1.1)  # a later run, as in CI
    (tmp / "conf.py").write_text("# one\n# two\n# three\n" + body)
    after_ds, after_ours = secrets_baseline(), ours()

    def changed(a: str, b: str) -> int:
        return sum(1 for line in difflib.ndiff(a.splitlines(), b.splitlines()) if line.startswith(("+ ", "- ")))

    return changed(before_ds, after_ds), changed(before_ours, after_ours)


def _big_report(findings: int):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))
    from dataclasses import replace

    from reports_synthetic import make_report

    report = make_report()
    many = tuple(
        Finding(f"R{i % 40}", list(Severity)[i % 5], f"message {i}", "tool", Location(f"pkg/m{i % 200}.py", i % 900 + 1), cwe=(78,))
        for i in range(findings)
    )
    results = tuple(replace(r, findings=assign_fingerprints(many)) if r.spec.technique == "T03" else r for r in report.results)
    return replace(report, results=results)


FORMATS = ("json", "sarif", "junit", "markdown", "html")


def formatter_speed(repeats: int = 1, findings: int = 5000) -> dict[str, list[float]]:
    """Seconds per format (one sample per repeat) on a synthetic report with ``findings`` findings."""
    from baseline.reports import html, json_report, junit, markdown, sarif

    report = _big_report(findings)
    modules = dict(zip(FORMATS, (json_report, sarif, junit, markdown, html)))

    def timer(name: str):  # type: ignore[no-untyped-def]
        def run(_: int) -> float:
            started = time.perf_counter()
            modules[name].format_report(report)
            return time.perf_counter() - started
        return run

    return alternate(repeats, {name: timer(name) for name in FORMATS})


def measure(options: Options) -> list[Row]:
    """Rows: look-alike after baselining (vs bandit -b), baseline churn (vs detect-secrets), formatting time."""
    rows = []
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        bandit_new, ours_new = lookalikes(Path(one))
        rows.append(Row(
            "reports: look-alike added after baselining, new findings reported (truth 1)", float(ours_new), float(bandit_new),
            unit="", better="closer to 1", peer_name="bandit -b", quality=f"ours {ours_new}, bandit -b {bandit_new}",
            data="one generated file with two shell=True calls",
        ))
        ds, ours = churn(Path(two))
        rows.append(Row(
            "reports: accepted-findings file churn after inserting 3 lines", float(ours), float(ds), unit="lines",
            peer_name="detect-secrets baseline", quality=f"changed lines: ours {ours}, detect-secrets {ds}",
            data="one generated file with one secret",
        ))
    findings = 1000 if options.quick else 5000
    timings = formatter_speed(options.repeats, findings)
    total = [sum(values) for values in zip(*timings.values())]
    rows.append(Row(
        f"reports: format a report of {findings} findings in all 5 formats", median(total), None, peer_name="no peer",
        quality=", ".join(f"{name} {1000 * (median(values) or 0):.0f} ms" for name, values in timings.items()),
        data="synthetic report (tests/unit/reports_synthetic.py)", ours_samples=total,
    ))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        bandit_new, ours_new = lookalikes(Path(one))
        print(f"look-alike added after baselining: bandit -b reports {bandit_new} new, accepted.toml reports {ours_new} new (truth: 1)")
        ds, ours = churn(Path(two))
        ratio = f"{ds / ours:.1f}x" if ours else "inf (ours: 0 lines)"
        print(f"baseline churn after inserting 3 lines: detect-secrets {ds} changed lines, accepted.toml {ours} (ratio {ratio})")
    for name, seconds in formatter_speed().items():
        print(f"format {name:<8} 5000 findings: {seconds[0] * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
