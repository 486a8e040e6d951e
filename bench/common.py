"""Shared pieces of the benchmarks: the result row, the options, timing and the table printer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Options:
    """How hard to try: ``quick`` means small inputs; ``repeats`` is how often each side runs."""

    quick: bool = False
    repeats: int = 3
    osv_db: Path | None = None


@dataclass
class Row:
    """One line of the comparison table.

    ``ours`` and ``peer`` are medians in ``unit``; ``better`` says whether a lower or a higher value
    is better, so a ratio (ours / peer) below 1 is good for times and above 1 is good for rates.
    A row whose data or tool is missing carries ``skipped`` (its reason) instead of figures.
    """

    benchmark: str
    ours: float | None = None
    peer: float | None = None
    unit: str = "s"
    better: str = "lower"
    peer_name: str = ""
    quality: str = ""
    data: str = ""
    skipped: str | None = None
    ours_samples: list[float] = field(default_factory=list)
    peer_samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.peer is None or self.peer == 0:
            return None
        return self.ours / self.peer

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def skipped(benchmark: str, reason: str, data: str = "") -> Row:
    return Row(benchmark, skipped=reason, data=data)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """(wall seconds, the action's result)."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def alternate(repeats: int, sides: dict[str, Callable[[int], float | None]]) -> dict[str, list[float]]:
    """Run each side ``repeats`` times, rotating which one goes first, so drifting load hits all alike.

    Each side takes the repeat index and returns its measurement (None: no sample this time).
    """
    samples: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for index in range(repeats):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            value = sides[name](index)
            if value is not None:
                samples[name].append(value)
    return samples


COUNTS = ("", "lines")


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s" and value < 1:
        return f"{value * 1000:.0f} ms"
    if unit in COUNTS and float(value).is_integer():
        text = f"{value:.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def cells(row: Row) -> list[str]:
    """The printed cells of a row: benchmark, ours, peer, ratio, quality, data."""
    if row.skipped is not None:
        return [row.benchmark, f"skipped: {row.skipped}", "", "", "", row.data]
    peer = _number(row.peer, row.unit)
    if row.peer_name:
        peer = f"{peer} ({row.peer_name})" if row.peer is not None else row.peer_name
    ratio = row.ratio
    if ratio is not None:
        ratio_text = f"{ratio:.2f} ({row.better} is better)" if ratio >= 0.1 else f"{ratio:.2g} ({row.better} is better)"
    elif row.ours is not None and row.peer == 0:
        ratio_text = f"n/a: peer is 0 ({row.better} is better)"
    else:
        ratio_text = "-"
    return [row.benchmark, _number(row.ours, row.unit), peer, ratio_text, row.quality, row.data]


HEADER = ["benchmark", "ours", "peer", "ratio ours/peer", "quality", "data used"]


def table(rows: list[Row]) -> str:
    """A Markdown table (aligned, so it reads on a terminal and pastes into a README)."""
    lines = [HEADER] + [cells(row) for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADER))]

    def render(line: list[str]) -> str:
        return "| " + " | ".join(text.ljust(width) for text, width in zip(line, widths)) + " |"

    out = [render(HEADER), "|" + "|".join("-" * (width + 2) for width in widths) + "|"]
    out.extend(render(line) for line in lines[1:])
    return "\n".join(out)
