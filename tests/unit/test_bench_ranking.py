"""The ranking benchmark's committed pairs are consistent, and its Kendall's tau is right."""

from __future__ import annotations

from pathlib import Path

from bench.bench_ranking import judge, kendall_tau, load_pairs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_pairs_name_fixtures_and_agree_with_the_expected_order() -> None:
    order, pairs = load_pairs()
    assert len(set(order)) == len(order) and all((FIXTURES / name).is_dir() for name in order)
    for better, worse, why in pairs:
        assert why
        if better.startswith("pypi:"):  # a pinned PyPI sdist, judged in pairs only
            name, _, version = better[len("pypi:"):].partition("==")
            assert name and version and worse in order, (better, worse)
            continue
        assert better in order and worse in order
        assert order.index(better) < order.index(worse), (better, worse)


def test_kendall_tau_and_pair_judgement(capsys) -> None:  # type: ignore[no-untyped-def]
    assert kendall_tau(["a", "b", "c"], {"a": 3, "b": 2, "c": 1}) == 1.0
    assert kendall_tau(["a", "b", "c"], {"a": 1, "b": 2, "c": 3}) == -1.0
    assert abs(kendall_tau(["a", "b", "c"], {"a": 3, "b": 1, "c": 2}) - 1 / 3) < 1e-9
    assert kendall_tau(["a", "b"], {"a": 1, "b": 1}) == 0.0
    right, judged, tau = judge(["a", "b"], [("a", "b", "why")], {"a": 2.0, "b": 1.0})
    assert (right, judged, tau) == (1, 1, 1.0) and "ok" in capsys.readouterr().out
