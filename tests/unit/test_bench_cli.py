"""The benchmark command: argument parsing, the table, and one fast benchmark run end to end."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS, parse_args
from bench.common import Row, table

REPO = Path(__file__).resolve().parents[2]


def test_parse_args_defaults_and_options(tmp_path):
    args = parse_args([])
    assert args.only == [] and not args.quick and args.repeats is None and args.json is None
    args = parse_args(["--quick", "--only", "reports,fuzz", "--only", "web", "--repeats", "2", "--json", str(tmp_path / "r.json")])
    assert args.quick and args.only == ["reports", "fuzz", "web"] and args.repeats == 2
    assert args.json == tmp_path / "r.json"


def test_every_benchmark_module_exposes_measure():
    for module_name, _ in BENCHMARKS.values():
        assert importlib.util.find_spec(module_name) is not None, module_name


@pytest.mark.parametrize("argv", [["--only", "nope"], ["--repeats", "0"]])
def test_bad_arguments_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        parse_args(argv)
    assert stop.value.code not in (0, None)


def test_table_rows_ratio_and_skipped():
    rows = [
        Row("fast thing", 2.0, 4.0, peer_name="peer tool", data="fixture"),
        Row("rate thing", 30.0, 10.0, unit="MB/s", better="higher"),
        Row("absent thing", skipped="wapiti is not installed"),
    ]
    text = table(rows).splitlines()
    assert text[0].startswith("| benchmark") and "ratio ours/peer" in text[0]
    assert "0.50 (lower is better)" in text[2] and "4.00 s (peer tool)" in text[2]
    assert "3.00 (higher is better)" in text[3]
    assert "skipped: wapiti is not installed" in text[4]
    assert rows[2].ratio is None


@pytest.mark.skipif(importlib.util.find_spec("detect_secrets") is None, reason="detect-secrets is not installed (dev extra)")
def test_quick_reports_run_prints_a_table_row(tmp_path):
    out = tmp_path / "raw.json"
    process = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "reports", "--quick", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert any(line.startswith("| benchmark") for line in lines)
    churn = next(line for line in lines if "accepted-findings file churn" in line)
    assert "detect-secrets" in churn and "lower is better" in churn
    raw = json.loads(out.read_text())
    assert raw["mode"] == "quick" and raw["repeats"] == 1
    formatting = next(row for row in raw["rows"] if row["benchmark"].startswith("reports: format"))
    assert formatting["ours"] > 0 and len(formatting["ours_samples"]) == 1


def test_show_merges_saved_results(tmp_path, capsys):
    from bench.__main__ import main

    first = {"mode": "full", "repeats": 3, "seconds": 10, "rows": [
        Row("static", skipped="error: broken").as_dict(), Row("fuzz: exec/s", 90.0, 100.0, unit="exec/s", better="higher").as_dict()]}
    second = {"mode": "full", "repeats": 3, "seconds": 5, "rows": [Row("static: T03 cold scan", 8.0, 10.0).as_dict()]}
    (tmp_path / "a.json").write_text(json.dumps(first))
    (tmp_path / "b.json").write_text(json.dumps(second))
    assert main(["--show", str(tmp_path / "a.json"), "--show", str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    assert "static: T03 cold scan" in out and "0.80 (lower is better)" in out and "0.90 (higher is better)" in out
    assert "error: broken" not in out
    assert main(["--show", str(tmp_path / "missing.json")]) == 2
