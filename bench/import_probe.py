"""Run a Python script after arming a probe that notes when ``anthropic`` is first imported, and from which thread.

Usage: ``python bench/import_probe.py OUT_FILE SCRIPT [ARGS...]``. The probe writes one line to ``OUT_FILE``:
``<time.monotonic()> <thread name>`` at the moment the import of ``anthropic`` begins, and the startup phases to
``OUT_FILE.phases``. ``time.monotonic`` is the
system-wide monotonic clock on Linux, so ``bench/tti.py`` can compare it with the moment it saw the first frame.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import runpy
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


class AnthropicImportProbe(importlib.abc.MetaPathFinder):
    """A finder that finds nothing and notes the first time ``anthropic`` is looked for."""

    def __init__(self, out_file: str) -> None:
        """Write the note to ``out_file``."""
        self.out_file = out_file
        self.seen = False

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Note the first lookup of ``anthropic``; always let the real finders do the work."""
        if fullname == "anthropic" and not self.seen:
            self.seen = True
            with open(self.out_file, "w", encoding="utf-8") as out:
                out.write(f"{time.monotonic()} {threading.current_thread().name}\n")
        return None


def note_phases(out_file: str) -> None:
    """Note in ``<out_file>.phases``: Python ready, Textual imported, ``App.run`` called, first frame written.

    Textual is imported here, first: the app imports it before its first frame anyway, so the total is unchanged.
    """
    phases = Path(f"{out_file}.phases")

    def note(name: str) -> None:
        with phases.open("a", encoding="utf-8") as out:
            out.write(f"{time.monotonic()} {name}\n")

    note("python ready")
    from textual.app import App

    note("textual imported")
    run, display = App.run, App._display
    drawn: list[bool] = []

    def noted_run(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        note("App.run called")
        return run(self, *args, **kwargs)

    def noted_display(self: App[Any], screen: Any, renderable: Any) -> None:
        display(self, screen, renderable)
        if renderable is not None and not drawn:
            drawn.append(True)
            note("first frame written")

    App.run = noted_run  # type: ignore[method-assign]
    App._display = noted_display  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    """Arm the probes, then run ``argv[1]`` as ``__main__`` with the remaining arguments."""
    out_file, script, *rest = argv
    note_phases(out_file)
    sys.meta_path.insert(0, AnthropicImportProbe(out_file))
    sys.argv = [script, *rest]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
