"""What importing the path to the first frame costs (``python -X importtime``), and whether ``anthropic`` is on it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

from figures import Figure, not_measured

FIRST_FRAME_MODULES = ("backend_pair.cli", "backend_pair.tui.app")
"""Modules imported before the app can draw its first frame."""
HEAVY = ("anthropic", "httpx", "git", "watchfiles", "pygments")
"""Packages that should not be imported before the first frame; anthropic above all."""


@dataclass(frozen=True)
class ImportCost:
    """One top-level import: its own and cumulative time in milliseconds."""

    name: str
    self_ms: float
    cumulative_ms: float


def import_costs(module: str) -> list[ImportCost]:
    """Import ``module`` in a fresh interpreter under ``-X importtime``; every module's cost, in import order.

    Raises:
        RuntimeError: The import failed (its last line of error is the message).
    """
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
        raise RuntimeError(lines[-1] if lines else f"import {module} failed")
    costs = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        costs.append(ImportCost(name.rstrip(), int(own) / 1000, int(cumulative) / 1000))
    return costs


def top_offenders(costs: list[ImportCost], count: int = 8) -> list[ImportCost]:
    """The ``count`` top-level packages costing the most, each with the self time of all its modules summed.

    Summing self times attributes every millisecond to exactly one package (cumulative times nest: ``textual``'s
    would include ``rich``'s).
    """
    totals: dict[str, float] = {}
    for cost in costs:
        root = cost.name.strip().split(".")[0]
        totals[root] = totals.get(root, 0.0) + cost.self_ms
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:count]
    return [ImportCost(root, own, own) for root, own in ranked]


def measure() -> tuple[list[Figure], list[str]]:
    """Figures for the first-frame import path, and the lines listing the top offenders."""
    figures: list[Figure] = []
    details: list[str] = []
    for module in FIRST_FRAME_MODULES:
        name = f"import {module}"
        try:
            costs = import_costs(module)
        except RuntimeError as err:
            figures.append(not_measured(name, "ms", None, str(err)))
            continue
        total = max((cost.cumulative_ms for cost in costs if cost.name.strip() == module), default=0.0)
        offenders = top_offenders(costs)
        details.append(
            f"{name}: {total:.0f} ms; top offenders: "
            + ", ".join(f"{cost.name} {cost.self_ms:.0f} ms" for cost in offenders)
        )
        figures.append(Figure(name, total, "ms", None, "python -X importtime, cumulative, one cold-ish run"))
        imported = {cost.name.strip().split(".")[0] for cost in costs}
        heavy = [package for package in HEAVY if package in imported]
        anthropic_ms = max((c.cumulative_ms for c in costs if c.name.strip() == "anthropic"), default=0.0)
        note = f"also imports {', '.join(heavy)}" if heavy else "imports none of " + ", ".join(HEAVY)
        if anthropic_ms:
            note = f"FLAG: anthropic imported at module import time; {note}"
        figures.append(Figure(f"  anthropic under {module}", anthropic_ms, "ms", 0.0, note))
    return figures, details


if __name__ == "__main__":
    from figures import render_table

    found, lines = measure()
    print("\n".join(lines))
    print(render_table(found))
