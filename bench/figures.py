"""One measured figure with its target, and the table ``bench/run.py`` prints."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A figure measured on this machine, or the reason it was not.

    Attributes:
        name: What was measured, as the table shows it.
        value: The measured value; ``None`` when it could not be measured.
        unit: The unit of ``value`` and ``target``.
        target: The value not to exceed; ``None`` for a figure that is informative only.
        note: Why it was not measured, or what the reader should know to read it.
    """

    name: str
    value: float | None
    unit: str
    target: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        """``pass``, ``MISS``, ``info`` (no target) or ``not measured``."""
        if self.value is None:
            return "not measured"
        if self.target is None:
            return "info"
        return "pass" if self.value <= self.target else "MISS"


def not_measured(name: str, unit: str, target: float | None, why: str) -> Figure:
    """A figure that could not be measured, saying why in one line."""
    return Figure(name, None, unit, target, why)


def median(samples: Sequence[float]) -> float:
    """The median of ``samples`` (at least one)."""
    return statistics.median(samples)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``samples`` (``fraction`` in 0..1, at least one sample)."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def _format_number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render_table(figures: Iterable[Figure]) -> str:
    """Render ``figures`` as one plain-text table: figure, value, target, verdict, note."""
    rows = [("figure", "value", "target", "verdict", "note")]
    for figure in figures:
        value = f"{_format_number(figure.value)} {figure.unit}" if figure.value is not None else "-"
        target = f"<= {_format_number(figure.target)} {figure.unit}" if figure.target is not None else "-"
        rows.append((figure.name, value, target, figure.verdict, figure.note))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths) + "  ----")
    return "\n".join(lines)


JSON_PREFIX = "FIGURES-JSON "
"""A child benchmark prints its figures on one line that starts with this, for ``bench/run.py`` to read."""


def print_figures_json(figures: Iterable[Figure]) -> None:
    """Print ``figures`` as the one line ``bench/run.py`` reads back from a child process."""
    rows = [[f.name, f.value, f.unit, f.target, f.note] for f in figures]
    print(JSON_PREFIX + json.dumps(rows), flush=True)


def parse_figures_json(output: str) -> list[Figure] | None:
    """The figures a child printed with ``print_figures_json``, or ``None`` when it printed none."""
    for line in reversed(output.splitlines()):
        if line.startswith(JSON_PREFIX):
            rows = json.loads(line.removeprefix(JSON_PREFIX))
            return [
                Figure(str(n), v if v is None else float(v), str(u), t if t is None else float(t), str(note))
                for n, v, u, t, note in rows
            ]
    return None
