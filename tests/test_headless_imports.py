"""The headless core never imports Textual or the TUI."""

import subprocess
import sys


def test_headless_core_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import backend_pair.agents, backend_pair.workspace, backend_pair.keymaps\n"
        "import pkgutil, importlib\n"
        "for pkg in (backend_pair.agents, backend_pair.workspace, backend_pair.keymaps):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'backend_pair.tui')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"headless core imported: {result.stdout.strip()}"
