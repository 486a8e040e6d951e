"""An internal error exits 4 (never 1, which means "gate failed"); --verbose adds the traceback."""

from __future__ import annotations

from baseline import cli


def test_internal_error_exits_4_and_verbose_shows_the_traceback(monkeypatch, capsys) -> None:
    def broken(args):
        raise RuntimeError("boom [/word]")

    monkeypatch.setattr(cli, "cmd_checks", broken)
    assert cli.main(["checks"]) == 4
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom [/word]" in " ".join(err.split()) and "Traceback" not in err
    assert cli.main(["-v", "checks"]) == 4
    assert "Traceback (most recent call last)" in capsys.readouterr().err
