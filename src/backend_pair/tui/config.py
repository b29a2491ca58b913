"""What the command line hands the app: the repository, the agent, the model, the keys, and whether to resume."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend_pair.agents.definition import AgentDefinition
    from backend_pair.keymaps import Keymap


@dataclass(frozen=True)
class AppConfig:
    """What the command line decided: where, with which agent and model, which keys, and whether to resume."""

    root: Path
    """The repository root."""
    definition: AgentDefinition
    """The agent to pair with."""
    model: str
    """The resolved model id."""
    keymap: Keymap
    """Binding id -> keys (the base keymap with the user's file on top)."""
    resume: str | None
    """A session id to resume, ``""`` for the latest, None for a new session."""
    demo: bool
    """Running the scripted demo (for the status line)."""
