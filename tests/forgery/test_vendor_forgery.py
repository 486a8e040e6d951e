"""Vendor-side forgeries as real bundles through the real CLI.

One honest scan (``baseline scan ... --bundle --sign``) of a real git repository, and one scan with
the vendor's own exclusions and allow-lists, are shared by every case. Each forgery tampers with
the bundle the way a dishonest vendor holding the signing key would, re-signs it, and runs
``baseline verify``: every forgery exits non-zero and is named; the honest bundle exits 0, also
against a fresh clone with ``--source``. The mutation test changes one field of the honest report
at a time, re-signs, and checks that every change that alters a verdict is reported; the
re-derivation cases flip, inflate or take out of the mean (not_applicable) one check's result at a
time and must be caught from the bundle's own figures, without the source.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baseline import bundle as B
from baseline.bundle import load_private_key
from tests.forgery.project import fresh_clone, make_repository

pytestmark = pytest.mark.e2e

# The flags the vendor scans with; an auditor who wants to judge with the same budget passes them too.
# No fuzzing: a time-boxed search need not find the same crash twice, and these cases must not flake
# (tests/unit/test_bundle_verify.py covers how verify judges a re-run of a non-deterministic technique).
SCAN_FLAGS = ["--fuzz-time", "0"]


def baseline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line, as a user runs it."""
    env = {**os.environ, "BASELINE_DEBUG": ""}
    return subprocess.run([sys.executable, "-m", "baseline", *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("forgery")
    assert baseline("keygen", "--out", str(tmp / "vendor"), cwd=tmp).returncode == 0
    (tmp / "vendor-repo").mkdir()
    repository = make_repository(tmp / "vendor-repo")
    honest = baseline("scan", str(repository), "--quiet", "--no-history", *SCAN_FLAGS,
                      "--bundle", str(tmp / "honest.zip"), "--sign", str(tmp / "vendor.key"), cwd=tmp)
    assert (tmp / "honest.zip").is_file(), honest.stderr
    # The same vendor, generous to itself: everything excluded from analysis, every secret allowed,
    # every finding accepted by a file kept outside the repository.
    members = read_zip(tmp / "honest.zip")
    report = json.loads(members[B.REPORT])
    accepted = tmp / "accept-all.toml"
    accepted.write_text(accept_all(report), encoding="utf-8")
    # A second pipeline run of the vendor's, on a checkout of its own (the first left its work files).
    second = fresh_clone(repository, tmp / "vendor-second-run")
    generous = baseline("scan", str(second), "--quiet", "--no-history", *SCAN_FLAGS, "--exclude", "**",
                        "--secrets-allow", "** -- the vendor says these are fine", "--accepted-file", str(accepted),
                        "--bundle", str(tmp / "generous.zip"), "--sign", str(tmp / "vendor.key"), cwd=tmp)
    assert (tmp / "generous.zip").is_file(), generous.stderr
    clones = iter(range(100))
    # Each auditor gets a new clone: a re-run may leave files in the tree it ran on.
    clone = lambda: fresh_clone(repository, tmp / f"auditor-clone-{next(clones)}")  # noqa: E731
    return {"tmp": tmp, "repo": repository, "clone": clone, "report": report, "key": load_private_key(tmp / "vendor.key"), "pub": tmp / "vendor.pub"}


def accept_all(report: dict[str, Any]) -> str:
    from baseline.accepted import dump_accepted, entry_for
    from baseline.reports.load import report_from_dict

    loaded = report_from_dict(report)
    entries = [entry_for(f, "accepted by the vendor", "vendor", None) for r in loaded.results for f in r.findings if f.fingerprint]
    assert entries, "the honest scan found nothing to accept"
    return dump_accepted(entries)


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def statement_of(members: dict[str, bytes]) -> dict[str, Any]:
    envelope = json.loads(members[B.ATTESTATION])
    return json.loads(base64.b64decode(envelope["payload"]))


def rescore(report: dict[str, Any], catalog_text: str) -> None:
    """What a forger's tool does after editing results: make the breakdown agree with them."""
    from baseline.catalog import parse_catalog
    from baseline.reports.json_report import to_jsonable
    from baseline.reports.load import report_from_dict
    from baseline.scoring import score_report

    catalog = parse_catalog(catalog_text)
    report["breakdown"] = to_jsonable(score_report(catalog, report_from_dict(report).results))
    report["catalog_digest"] = catalog.digest


def resign(source: Path, target: Path, change: Callable[[dict[str, Any], dict[str, bytes]], None], keys: tuple[Ed25519PrivateKey, ...]) -> Path:
    """Tamper with the report (and members), recompute every subject and sign again."""
    members = read_zip(source)
    report = statement_of(members)["predicate"]
    del members[B.ATTESTATION]
    change(report, members)
    from baseline.reports.load import report_from_dict

    from baseline.reports.json_report import format_report

    loaded = report_from_dict(report)
    members[B.REPORT] = format_report(loaded).encode("utf-8")
    sealed = B.seal(members, B.build_statement(loaded, members), keys)
    target.write_bytes(B.zip_bytes(sealed))
    return target


def flip_to_pass(report: dict[str, Any], members: dict[str, bytes]) -> None:
    for result in report["results"]:
        if result["outcome"] in ("fail", "error", "not_evaluated"):
            result["outcome"], result["score"] = "pass", 10.0
    rescore(report, members[B.CATALOG].decode("utf-8"))
    report["gate"]["passed"] = True


def zero_weight_failures(report: dict[str, Any], members: dict[str, bytes]) -> None:
    """A catalog that weights the failing techniques 0, its header still the built-in catalog's."""
    import re

    failing = {item["technique"] for item in report["breakdown"]["techniques"] if item["outcome"] in ("fail", "error", "not_evaluated")}
    text = members[B.CATALOG].decode("utf-8")
    blocks = text.split("[[techniques]]")
    for index, block in enumerate(blocks[1:], 1):
        ident = re.search(r'^id\s*=\s*"(T\d\d)"', block, re.M)
        if ident and ident.group(1) in failing:
            blocks[index] = re.sub(r"^weight\s*=\s*[0-9.]+", "weight = 0", block, count=1, flags=re.M)
    members[B.CATALOG] = "[[techniques]]".join(blocks).encode("utf-8")
    rescore(report, members[B.CATALOG].decode("utf-8"))
    report["gate"]["passed"] = True


def verify(world: dict[str, Any], bundle: Path, *extra: str, source: bool = False) -> subprocess.CompletedProcess[str]:
    args = ["verify", str(bundle), "--pubkey", str(world["pub"]), *SCAN_FLAGS, *extra]
    if source:
        args += ["--source", str(world["clone"]())]
    return baseline(*args, cwd=world["tmp"])


def test_honest_bundle_verifies(world):
    done = verify(world, world["tmp"] / "honest.zip")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "result:         VERIFIED" in done.stdout and "discrepancies:  none" in done.stdout
    assert f"verified score: {world['report']['breakdown']['trust_score']:.2f}" in done.stdout


def test_honest_bundle_verifies_against_a_fresh_clone(world):
    done = verify(world, world["tmp"] / "honest.zip", source=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "re-run" in done.stdout and "automated-testing.pytest" in done.stdout


def test_the_verifiers_own_gate_decides_the_exit_code(world):
    honest = world["tmp"] / "honest.zip"
    done = verify(world, honest, "--gate", "--min-score", "0", "--fail-on", "none")
    assert done.returncode == 0, done.stdout
    done = verify(world, honest, "--gate", "--min-score", "90")
    assert done.returncode == 1 and "verifier's gate: FAILED: trust score" in done.stdout
    done = verify(world, honest, "--gate", "--min-score", "0", "--fail-on", "none", "--required", "T09")  # no fuzzing ran
    assert done.returncode == 3 and "required technique T09" in done.stdout, done.stdout


def test_without_a_pinned_signer_nothing_is_verified(world):
    done = baseline("verify", str(world["tmp"] / "honest.zip"), cwd=world["tmp"])
    assert done.returncode == 2, done.stdout + done.stderr
    assert "NOT VERIFIED" in done.stdout and "no pinned signer" in done.stdout
    assert "verified score" not in done.stdout and "VERIFIED\n" not in done.stdout.replace("NOT VERIFIED", "")
    assert f"claimed score {world['report']['breakdown']['trust_score']:.2f}" in done.stdout


def test_unsigned_bundle(world):
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / "unsigned.zip", lambda r, m: None, ())
    done = verify(world, forged)
    assert done.returncode == 1 and "the bundle is not signed" in done.stdout, done.stdout


def test_bundle_signed_by_a_random_key(world):
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / "random.zip", lambda r, m: None, (Ed25519PrivateKey.generate(),))
    done = verify(world, forged)
    assert done.returncode == 1 and "no signature by a pinned key" in done.stdout, done.stdout
    assert "verified score" not in done.stdout


def test_outcomes_flipped_to_pass_while_metrics_say_two_failed(world):
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / "flipped.zip", flip_to_pass, (world["key"],))
    done = verify(world, forged)
    assert done.returncode == 1, done.stdout
    assert "automated-testing.pytest outcome: claimed pass, its own metrics give fail (5 passed, 3 failed, 0 errors)" in done.stdout
    assert "structural-coverage.coverage outcome: claimed pass" in done.stdout


def test_catalog_weighting_failures_zero(world):
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / "zero.zip", zero_weight_failures, (world["key"],))
    claimed = statement_of(read_zip(forged))["predicate"]["breakdown"]["trust_score"]
    assert claimed > world["report"]["breakdown"]["trust_score"] + 10  # the forgery pays
    done = verify(world, forged)
    assert done.returncode == 1, done.stdout
    assert "- catalog: vendor nist-ir-8397" in done.stdout  # named, with both digests
    assert f"trust score: claimed {claimed:.2f}, verified {world['report']['breakdown']['trust_score']:.2f}" in done.stdout


def test_vendor_exclusions_and_allow_lists_are_listed_not_reused(world):
    done = verify(world, world["tmp"] / "generous.zip")
    assert done.returncode == 1, done.stdout
    for subject in ("config exclude (--exclude)", "config secrets.allow (--secrets-allow)", "config accepted_file (--accepted-file)", "accepted findings"):
        assert f"- {subject}:" in done.stdout, subject
    assert "sha256:" in done.stdout


def test_combined_forgery_against_a_fresh_clone(world):
    def everything(report, members):
        zero_weight_failures(report, members)
        flip_to_pass(report, members)

    forged = resign(world["tmp"] / "generous.zip", world["tmp"] / "combined.zip", everything, (world["key"],))
    claimed = statement_of(read_zip(forged))["predicate"]["breakdown"]["trust_score"]
    done = verify(world, forged, source=True)
    assert done.returncode == 1, done.stdout
    out = done.stdout
    assert "discrepancies:  none" not in out and "result:         NOT VERIFIED" in out
    assert "automated-testing.pytest outcome: claimed pass, its own metrics give fail" in out
    assert "static-analysis.scan (re-run): findings: re-run gave 3, the bundle has 0" in out, out
    # The vendor's allow-list hid a secret: the verifier's own lists re-judge it from the findings, before any re-run.
    assert "hardcoded-secrets.scan outcome: claimed pass, its own metrics give fail" in out
    assert "- catalog:" in out and "- config exclude (--exclude):" in out
    assert f"trust score: claimed {claimed:.2f}" in out


# --- the mutation test: one field at a time, re-signed with the vendor's key ----------------------


def _result(report, check_id):
    return next(r for r in report["results"] if r["spec"]["id"] == check_id)


def _technique(report, technique):
    return next(t for t in report["breakdown"]["techniques"] if t["technique"] == technique)


def _set(path: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict, dict], None]:
    def change(report, members):
        path(report)[key] = value
    return change


def _catalog_weight(report, members):
    import re

    members[B.CATALOG] = re.sub(rb"(?m)^weight\s*=\s*[0-9.]+", b"weight = 0", members[B.CATALOG], count=1)
    from baseline.catalog import parse_catalog

    report["catalog_digest"] = parse_catalog(members[B.CATALOG].decode("utf-8")).digest


def _drop_finding(report, members):
    result = _result(report, "static-analysis.scan")
    # The most severe finding the honest scan reported (a shell call on a parameter with no known
    # taint source is a downgraded, low finding since the static rules learned data flow).
    order = ("critical", "high", "medium", "low", "info")
    worst = min(result["findings"], key=lambda f: order.index(f["severity"]) if f["severity"] in order else len(order))
    result["findings"] = [f for f in result["findings"] if f is not worst]


def _drop_finding_and_rescore(report, members):
    """The dropped finding with the score and outcome recomputed to match: only the tool's own output shows it."""
    from baseline.checks.static_analysis import static_score
    from baseline.reports.load import report_from_dict

    _drop_finding(report, members)
    result = _result(report, "static-analysis.scan")
    metrics = result["metrics"]
    loaded = next(item for item in report_from_dict(report).results if item.spec.id == "static-analysis.scan")
    fraction = metrics["analysed_files"] / metrics["python_files"] if metrics.get("python_files") else 0.0
    result["score"] = static_score(loaded.findings, 0.2, fraction)
    if not any(f["severity"] in ("critical", "high") and f.get("context") == "product" and not f.get("suppression") for f in result["findings"]):
        result["outcome"] = "pass"


def _add_accepted(report, members):
    finding = _result(report, "static-analysis.scan")["findings"][0]
    finding["suppression"] = {"kind": "accepted", "reason": "fine", "owner": "vendor", "expires": None}


MUTATIONS = {
    # (change, a subject the verifier must name)
    "T02 outcome": (_set(lambda r: _result(r, "automated-testing.pytest"), "outcome", "pass"), "automated-testing.pytest outcome"),
    "T02 score": (_set(lambda r: _result(r, "automated-testing.pytest"), "score", 9.0), "automated-testing.pytest score"),
    "T02 metrics": (_set(lambda r: _result(r, "automated-testing.pytest")["metrics"], "failed", 0), "automated-testing.pytest"),
    "T07 metrics": (_set(lambda r: _result(r, "structural-coverage.coverage")["metrics"], "percent_statements", 95.0), "structural-coverage.coverage"),
    "T03 outcome": (_set(lambda r: _result(r, "static-analysis.scan"), "outcome", "fail"), "static-analysis.scan outcome"),
    "T03 findings": (_drop_finding, "static-analysis.scan"),
    "T03 findings rescored": (_drop_finding_and_rescore, "static-analysis.scan"),
    "T04 outcome": (_set(lambda r: _result(r, "hardcoded-secrets.scan"), "outcome", "pass"), "hardcoded-secrets.scan"),
    "T04 score": (_set(lambda r: _result(r, "hardcoded-secrets.scan"), "score", 10.0), "hardcoded-secrets.scan"),
    "T01 outcome": (_set(lambda r: _result(r, "threat-modeling.model"), "outcome", "pass"), "threat-modeling.model"),
    "spec weight": (_set(lambda r: _result(r, "black-box-tests.identified")["spec"], "weight", 0.0), "black-box-tests.identified spec.weight"),
    "technique score": (_set(lambda r: _technique(r, "T02"), "score", 10.0), "T02 score"),
    "trust score": (_set(lambda r: r["breakdown"], "trust_score", 99.0), "trust score"),
    "gate": (_set(lambda r: r["gate"], "passed", True), "gate"),
    "catalog": (_catalog_weight, "catalog"),
    "config exclude": (_set(lambda r: r["config"], "exclude", ["**"]), "config exclude"),
    "config coverage threshold": (_set(lambda r: r["config"], "coverage.threshold", 10.0), "config coverage.threshold"),
    "accepted finding": (_add_accepted, "accepted findings"),
    "source digest": (_set(lambda r: r["target"], "tree_digest", "sha256:" + "0" * 64), "source"),
    "commit": (_set(lambda r: r["target"], "commit", "0" * 40), "source commit"),
}
# Changes that alter no verdict: the bundle is still honest about what it judged.
HARMLESS = {
    "message": _set(lambda r: _result(r, "automated-testing.pytest"), "message", "reworded"),
    "duration metric": _set(lambda r: _result(r, "automated-testing.pytest")["metrics"], "duration_s", 1.0),
}


@pytest.fixture(scope="module")
def verifier(world):
    """The auditor's side, in process: the CLI's own rules and one real re-run on the fresh clone,
    shared by every mutation (each mutated bundle is judged against the same fresh results)."""
    from argparse import Namespace

    from baseline.commands import verify as command
    from baseline.bundle import load_public_key
    from baseline.target import git_state, tree_digest

    clone = world["clone"]()
    args = Namespace(config_file=None, catalog=None, cfg__fuzz__time=SCAN_FLAGS[1])  # what verify --fuzz-time N parses to
    config = command._verifier_config(args, clone)
    rules = command._rules(args, config, clone)
    digest, commit = tree_digest(clone)[0], git_state(clone)[1]
    cache: dict[tuple[str, ...], Any] = {}

    def rerun(source, ids, cfg):
        key = tuple(ids)
        if key not in cache:
            cache[key] = command.rerun_checks(source, ids, cfg)
        return cache[key]

    def judge(path: Path, with_source: bool = True):
        from baseline.verify import verify_bundle

        extra = {"source": clone, "source_digest": digest, "source_commit": commit, "rerun": rerun} if with_source else {}
        return verify_bundle(path, keys=[load_public_key(world["pub"])], rules=rules, **extra)

    return judge


def test_the_unchanged_bundle_verifies_in_process(world, verifier):
    for with_source in (False, True):
        result = verifier(world["tmp"] / "honest.zip", with_source)
        assert result.ok, (result.discrepancies, result.differences)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_change_that_alters_a_verdict_is_reported(world, verifier, name):
    change, subject = MUTATIONS[name]
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / f"mutant-{name.replace(' ', '-')}.zip", change, (world["key"],))
    result = verifier(forged)
    named = [d.subject for d in result.discrepancies] + [d.subject for d in result.differences]
    assert not result.ok and any(subject in item for item in named), (name, named)


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_changes_that_alter_no_verdict_still_verify(world, verifier, name):
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / f"harmless-{name.replace(' ', '-')}.zip", HARMLESS[name], (world["key"],))
    result = verifier(forged, with_source=False)
    assert result.ok, (result.discrepancies, result.differences)


def test_mutations_without_the_source_are_caught_by_the_metrics(world, verifier):
    for name in ("T02 outcome", "T02 metrics", "T07 metrics", "T03 findings", "T03 findings rescored", "trust score", "catalog", "config exclude"):
        change, subject = MUTATIONS[name]
        forged = resign(world["tmp"] / "honest.zip", world["tmp"] / "nosource.zip", change, (world["key"],))
        result = verifier(forged, with_source=False)
        named = [d.subject for d in result.discrepancies] + [d.subject for d in result.differences]
        assert not result.ok and any(subject in item for item in named), (name, named)
        if name == "T03 findings rescored":  # the score agrees with the findings left: the tool's own output shows the deleted one
            assert any("which the result does not list" in d.message for d in result.discrepancies), result.discrepancies


# --- re-derivation without the source: every rule, one forged claim at a time -----------------


def _claim(check_id: str, outcome: str | None = None, score: float | None = None, not_applicable: bool = False) -> Callable[[dict, dict], None]:
    """The vendor rewrites one result's claim (its figures untouched) and makes the breakdown agree."""

    def change(report, members):
        result = _result(report, check_id)
        if not_applicable:
            # What the runner's evidence rule asks of not_applicable: one line saying it looked.
            result["outcome"], result["score"] = "not_applicable", None
            result["evidence"] = list(result["evidence"]) + [{"provenance": "inspected", "summary": "looked: nothing to judge"}]
        if outcome is not None:
            result["outcome"] = outcome
        if score is not None:
            result["score"] = score
        rescore(report, members[B.CATALOG].decode("utf-8"))

    return change


# (check id, forged claim): every one contradicts the check's own metrics or findings.
REDERIVED = {
    "T01 fail to pass": ("threat-modeling.model", dict(outcome="pass")),
    "T01 score": ("threat-modeling.model", dict(score=6.5)),
    "T01 not applicable": ("threat-modeling.model", dict(not_applicable=True)),
    "T02 not applicable": ("automated-testing.pytest", dict(not_applicable=True)),
    "T04 not applicable": ("hardcoded-secrets.scan", dict(not_applicable=True)),
    "T07 not applicable": ("structural-coverage.coverage", dict(not_applicable=True)),
    "T05 asserts fail": ("language-checks.assert-guards", dict(outcome="fail")),
    "T05 asserts inflated": ("language-checks.assert-guards", dict(score=10.0)),
    "T05 asserts not applicable": ("language-checks.assert-guards", dict(not_applicable=True)),
    "T05 warnings fail": ("language-checks.dev-mode-warnings", dict(outcome="fail")),
    "T05 warnings score": ("language-checks.dev-mode-warnings", dict(score=8.0)),
    "T05 warnings not applicable": ("language-checks.dev-mode-warnings", dict(not_applicable=True)),
    "T05 native pass": ("language-checks.native-hardening", dict(outcome="pass", score=10.0)),
    "T05 type checker pass": ("language-checks.type-checker", dict(outcome="pass", score=10.0)),
    "T06 fail to pass": ("black-box-tests.identified", dict(outcome="pass")),
    "T06 inflated": ("black-box-tests.identified", dict(score=9.0)),
    "T06 not applicable": ("black-box-tests.identified", dict(not_applicable=True)),
    "T08 cited fail": ("regression-tests.cited", dict(outcome="fail")),
    "T08 cited score": ("regression-tests.cited", dict(score=5.0)),
    "T08 cited not applicable": ("regression-tests.cited", dict(not_applicable=True)),
    "T08 fix commits fail": ("regression-tests.fix-commits", dict(outcome="fail")),
    "T08 fix commits inflated": ("regression-tests.fix-commits", dict(score=10.0)),
    "T08 fix commits not applicable": ("regression-tests.fix-commits", dict(not_applicable=True)),
    "T08 replay pass": ("regression-tests.fuzz-replay", dict(outcome="pass", score=10.0)),
    "T09 not evaluated to pass": ("fuzzing.atheris", dict(outcome="pass", score=10.0)),
    "T09 not applicable": ("fuzzing.atheris", dict(not_applicable=True)),
}


def test_the_honest_bundle_is_re_derived_check_by_check(world, verifier):
    """Every result with figures is judged by a rule, and all agree with the honest claims."""
    from baseline.rederive import RULES

    result = verifier(world["tmp"] / "honest.zip", False)
    assert result.ok and not result.discrepancies, (result.discrepancies, result.differences)
    outcomes = {item.spec.id: item.outcome.value for item in result.results}
    for check_id in RULES:
        if outcomes[check_id] not in ("error", "not_evaluated"):
            assert result.status[check_id] == "re-derived from its metrics", (check_id, result.status[check_id])
    # The corpus gives the new rules real figures: each of these was judged on something.
    assert {outcomes[c] for c in ("threat-modeling.model", "black-box-tests.identified", "regression-tests.cited", "regression-tests.fix-commits", "language-checks.assert-guards")} <= {"pass", "fail"}


@pytest.mark.parametrize("name", sorted(REDERIVED))
def test_a_forged_claim_is_caught_from_its_own_figures(world, verifier, name):
    check_id, claim = REDERIVED[name]
    original = _result(world["report"], check_id)
    assert (claim.get("outcome"), claim.get("score")) != (original["outcome"], original["score"]), "the honest claim already says this"
    forged = resign(world["tmp"] / "honest.zip", world["tmp"] / f"rederive-{name.replace(' ', '-')}.zip", _claim(check_id, **claim), (world["key"],))
    result = verifier(forged, with_source=False)
    named = [d.subject for d in result.discrepancies]
    assert not result.ok and any(subject.startswith(f"{check_id} ") for subject in named), (name, named, result.differences)
    judged = next(item for item in result.results if item.spec.id == check_id)
    # The forged claim earns nothing it did not earn: the verified result is the honest one or not_evaluated.
    assert (judged.outcome.value, judged.score) in ((original["outcome"], original["score"]), ("not_evaluated", 0.0)), (judged.outcome, judged.score)
