"""What to fix first: the console lines for ``baseline.scoring.fix_first`` (the computation is pure)."""

from __future__ import annotations

from rich.console import Console

from baseline.model import Report
from baseline.scoring import fix_first_for

CONSOLE_TOP = 3


def render_fix_first(report: Report, console: Console, top: int = CONSOLE_TOP) -> None:
    """Print the ``top`` changes that would raise the trust score most, with the gain of each."""
    improvements = fix_first_for(report.breakdown, report.results, limit=top)
    if not improvements:
        return
    console.print("Fix first (trust-score points each change would gain):", highlight=False, markup=False)
    for item in improvements:
        console.print(f"  {item.describe()}", highlight=False, markup=False)
