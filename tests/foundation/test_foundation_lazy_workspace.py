"""``backend_pair.workspace`` imports its names on first use: the UI uses its enums before the first frame."""

from __future__ import annotations

import subprocess
import sys

import backend_pair.workspace as workspace


def test_every_exported_name_resolves_to_its_module() -> None:
    assert sorted(workspace.__all__) == sorted(workspace._MODULE_OF)
    for name in workspace.__all__:
        value = getattr(workspace, name)
        assert getattr(sys.modules[workspace._MODULE_OF[name]], name) is value
    assert set(workspace.__all__) <= set(dir(workspace))


def test_the_small_types_come_without_git() -> None:
    code = (
        "import sys\n"
        "from backend_pair.workspace.model import FileState, RebaseStatus\n"
        "import backend_pair.tui.widgets.review_pane, backend_pair.tui.widgets.checklist_pane\n"
        "print(sorted(m for m in ('git', 'backend_pair.workspace.workspace') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        workspace.NoSuchName  # noqa: B018
    except AttributeError as err:
        assert "NoSuchName" in str(err)
    else:
        raise AssertionError("no AttributeError")
