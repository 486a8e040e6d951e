"""End to end: one real ``--select T04`` scan of the labelled real-world corpus, every output format searched.

No labelled secret of the corpus may appear verbatim in the terminal output, the JSON, SARIF, JUnit,
Markdown or HTML reports, any member of the signed evidence bundle, or anything the scan leaves in
the project's work folder (its logs and tool outputs included), whether the
detector found that secret or not (an undetected secret on the line of a detected one is redacted
too).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

from baseline import sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "secrets_corpus"))
import realworld  # noqa: E402

pytestmark = pytest.mark.e2e

FORMATS = {"json": "report.json", "sarif": "report.sarif", "junit": "report.xml", "markdown": "report.md", "html": "report.html"}


def _needles(case: realworld.Case) -> list[str]:
    """The labelled values, and for multi-line keys every body line long enough to identify the key."""
    out = []
    for secret in case.secrets:
        if "\n" in secret:
            out += [line for line in secret.splitlines() if len(line) >= 16 and "-----" not in line]
        else:
            out.append(secret)
    return out


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("leaks")
    project = root / "project"
    cases = realworld.build_cases()
    realworld.write_cases(cases, project / "corpus")
    (project / "pyproject.toml").write_text('[project]\nname = "leaks"\nversion = "0.1"\n')
    out = root / "out"
    out.mkdir()
    keygen = sandbox.run([sys.executable, "-m", "baseline", "keygen", "--out", str(root / "key")], cwd=root,
                         limits=sandbox.Limits(timeout_s=120))
    assert keygen.ok, keygen.stderr_tail()
    args = [sys.executable, "-m", "baseline", "scan", str(project), "--select", "T04",
            "--bundle", str(out / "bundle.zip"), "--sign", str(root / "key.key")]
    for name, filename in FORMATS.items():
        args += ["--format", name, "--output", str(out / filename)]
    run = sandbox.run(args, cwd=root, limits=sandbox.Limits(timeout_s=300), extra_env={"CI": ""})
    terminal = sandbox.run([sys.executable, "-m", "baseline", "scan", str(project), "--select", "T04"], cwd=root,
                           limits=sandbox.Limits(timeout_s=300), extra_env={"CI": ""})
    texts = {"terminal": terminal.stdout + terminal.stderr, "run": run.stdout + run.stderr}
    for name, filename in FORMATS.items():
        path = out / filename
        texts[name] = path.read_text(errors="replace") if path.exists() else ""
    bundle = out / "bundle.zip"
    if bundle.exists():
        with zipfile.ZipFile(bundle) as archive:
            for member in archive.namelist():
                texts[f"bundle:{member}"] = archive.read(member).decode("utf-8", "replace")
    work = project / ".baseline"
    if work.is_dir():
        for path in work.rglob("*"):
            if path.is_file():
                texts[f"work:{path.relative_to(work)}"] = path.read_text(errors="replace")
    return {"cases": cases, "texts": texts, "json": json.loads(texts["json"]) if texts["json"] else {}}


def test_every_format_was_written_and_the_scan_found_secrets(scan: dict) -> None:
    for name in FORMATS:
        assert scan["texts"][name], f"no {name} output"
    assert "bundle:report.json" in scan["texts"] and "bundle:attestation.dsse.json" in scan["texts"]
    findings = [finding for result in scan["json"].get("results", []) for finding in result.get("findings", [])]
    positives = sum(case.positive for case in scan["cases"])
    assert len(findings) >= positives * 0.8, (len(findings), positives)  # the scan really read the corpus


def test_no_labelled_secret_appears_in_any_output(scan: dict) -> None:
    leaks = []
    for case in scan["cases"]:
        for needle in _needles(case):
            for where, text in scan["texts"].items():
                if needle in text:
                    leaks.append((case.id, where, needle[:4]))
    assert not leaks, leaks[:10]
