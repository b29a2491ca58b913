"""Run a Python script after arming a probe that notes when ``anthropic`` is first imported, and from which thread.

Usage: ``python bench/import_probe.py OUT_FILE SCRIPT [ARGS...]``. The probe writes one line to ``OUT_FILE``:
``<time.monotonic()> <thread name>`` at the moment the import of ``anthropic`` begins. ``time.monotonic`` is the
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
from types import ModuleType


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


def main(argv: list[str]) -> None:
    """Arm the probe, then run ``argv[1]`` as ``__main__`` with the remaining arguments."""
    out_file, script, *rest = argv
    sys.meta_path.insert(0, AnthropicImportProbe(out_file))
    sys.argv = [script, *rest]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
