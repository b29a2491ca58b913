"""Test doubles for the TUI: a scripted agent session and helpers to build apps deterministically."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from backend_pair.agents.approval import BashDecision, BashRequest
from backend_pair.agents.definition import AgentDefinition, parse_definition
from backend_pair.agents.events import AgentEvent, ToolCallFinished, ToolCallStarted
from backend_pair.tui.app import AppConfig, BackendPairApp, TurnRunner

if TYPE_CHECKING:
    from backend_pair.keymaps import Keymap
    from backend_pair.workspace import Workspace
    from backend_pair.workspace.hunks import Hunk
    from backend_pair.workspace.model import FileProposal, ReviewCounts

BUNDLED_AGENT = Path(__file__).resolve().parents[2] / "src/backend_pair/agents/definitions/backend-engineer.md"
"""The bundled Backend Engineer definition."""

MODEL = "claude-sonnet-4-20250514"
"""The model shown in tests."""


@dataclass(frozen=True)
class AskBash:
    """A script step: the agent runs Bash, which asks the developer first."""

    command: str
    cwd: str = "/srv/demo-repo"
    description: str = ""


@dataclass(frozen=True)
class Propose:
    """A script step: the agent proposes ``content`` for ``path`` (through the workspace, like Write)."""

    path: str
    content: str


@dataclass(frozen=True)
class Wait:
    """A script step: wait until the test sets the event (to look at a turn mid-stream)."""

    event_name: str


Step = AgentEvent | AskBash | Propose | Wait
"""What a scripted turn does, in order."""


@dataclass
class ScriptedSession:
    """Plays one scripted list of steps per turn; records prompts and Bash decisions."""

    app: BackendPairApp
    turns: list[list[Step]]
    prompts: list[str] = field(default_factory=list)
    decisions: list[BashDecision] = field(default_factory=list)
    gates: dict[str, object] = field(default_factory=dict)

    async def run_turn(self, user_text: str) -> AsyncIterator[AgentEvent]:
        """Yield the next turn's events, asking for approval and proposing where the script says."""
        import asyncio

        from backend_pair.agents.events import ProposalChanged

        self.prompts.append(user_text)
        steps = self.turns.pop(0) if self.turns else []
        for step in steps:
            if isinstance(step, AskBash):
                call_id = f"bash-{len(self.decisions) + 1}"
                yield ToolCallStarted(call_id, "Bash", f"Bash {step.command}", {"command": step.command})
                decision = await self.app.approve_bash(BashRequest(step.command, Path(step.cwd), step.description))
                self.decisions.append(decision)
                ran = decision.kind != "deny"
                result = "ok: 3 passed" if ran else f"denied: {decision.reason or 'no reason given'}"
                yield ToolCallFinished(call_id, "Bash", f"Bash {step.command}", result, not ran)
            elif isinstance(step, Propose):
                workspace = self.app.workspace
                assert workspace is not None
                await asyncio.to_thread(workspace.propose, step.path, step.content)
                yield ToolCallStarted(f"w-{step.path}", "Write", f"Write {step.path}", {"file_path": step.path})
                yield ToolCallFinished(
                    f"w-{step.path}", "Write", f"Write {step.path}", "proposed, pending review", False
                )
                yield ProposalChanged((step.path,))
            elif isinstance(step, Wait):
                gate = self.gates.setdefault(step.event_name, asyncio.Event())
                assert isinstance(gate, asyncio.Event)
                await gate.wait()
            else:
                yield step


def definition() -> AgentDefinition:
    """The bundled Backend Engineer."""
    return parse_definition(BUNDLED_AGENT)


def make_app(
    root: Path,
    turns: Sequence[Sequence[Step]] = (),
    *,
    keymap: Keymap | None = None,
    workspace: Workspace | None = None,
) -> tuple[BackendPairApp, Callable[[], ScriptedSession]]:
    """An app on ``root`` whose agent plays ``turns``; returns it and a getter for the scripted session.

    Args:
        root: A git repository.
        turns: One list of steps per prompt the test will send.
        keymap: Binding id -> keys (default keys when None).
        workspace: An already open workspace (opened from ``root`` when None).
    """
    config = AppConfig(root=root, definition=definition(), model=MODEL, keymap=keymap or {}, resume=None, demo=False)
    sessions: list[ScriptedSession] = []

    async def factory(app: BackendPairApp) -> TurnRunner:
        session = ScriptedSession(app, [list(turn) for turn in turns])
        sessions.append(session)
        return session

    app = BackendPairApp(config, workspace=workspace, session_factory=factory, watch=False)

    def session() -> ScriptedSession:
        assert sessions, "the session has not been created yet"
        return sessions[0]

    return app, session


class StandInWorkspace:
    """An in-memory workspace with the contract's review methods (until the real one is used everywhere).

    Accepting applies the hunk to the file on disk; nothing is staged (the end-to-end test covers staging).
    """

    def __init__(self, root: Path, branch: str = "main") -> None:
        self.root = root
        self._branch = branch
        self._proposed: dict[str, str] = {}
        self._comments: dict[tuple[str, str], list[str]] = {}
        self._conflicts: dict[str, tuple[str, str, str]] = {}
        self._accepted: list[str] = []
        self._staged = 0
        self.calls: list[tuple[str, ...]] = []

    def branch(self) -> str:
        return self._branch

    def _disk(self, rel: str) -> str | None:
        path = self.root / rel
        return path.read_text() if path.exists() else None

    def propose(self, rel: str, content: str) -> object:
        self._proposed[rel] = content
        return self.proposal(rel)

    def mark_conflict(self, rel: str, ours: str, theirs: str) -> None:
        self._conflicts[rel] = (ours, theirs, self._disk(rel) or "")

    def proposal(self, rel: str) -> FileProposal | None:
        from backend_pair.workspace.hunks import Hunk, compute_hunks, new_file_hunk
        from backend_pair.workspace.model import ConflictSides, FileProposal, FileState

        if rel in self._conflicts:
            ours, theirs, base = self._conflicts[rel]
            return FileProposal(rel, base, theirs, FileState.CONFLICT, (), ConflictSides(ours, theirs, base))
        if rel not in self._proposed:
            return None
        base = self._disk(rel)
        new = self._proposed[rel].splitlines(keepends=True)
        hunks = [new_file_hunk(new)] if base is None else compute_hunks(base.splitlines(keepends=True), new)
        hunks = [
            Hunk(
                h.id,
                h.old_start,
                h.old_count,
                h.new_start,
                h.new_count,
                h.header,
                h.lines,
                tuple(self._comments.get((rel, h.id), ())),
                h.edits,
            )
            for h in hunks
        ]
        if not hunks:
            return None
        state = FileState.PARTLY_ACCEPTED if rel in self._accepted else FileState.PENDING
        return FileProposal(rel, base, self._proposed[rel], state, tuple(hunks))

    def proposals(self) -> list[FileProposal]:
        found = [self.proposal(rel) for rel in sorted({*self._proposed, *self._conflicts})]
        return [p for p in found if p is not None]

    def _hunk(self, rel: str, hunk_id: str) -> Hunk:
        proposal = self.proposal(rel)
        assert proposal is not None
        return next(h for h in proposal.hunks if h.id == hunk_id)

    def accept_hunk(self, rel: str, hunk_id: str) -> None:
        from backend_pair.workspace.hunks import apply_edits

        self.calls.append(("accept_hunk", rel, hunk_id))
        hunk = self._hunk(rel, hunk_id)
        lines = (self._disk(rel) or "").splitlines(keepends=True)
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.root / rel).write_text("".join(apply_edits(lines, hunk.edits)))
        self._accepted.append(rel)
        self._staged += 1

    def reject_hunk(self, rel: str, hunk_id: str, comment: str = "") -> None:
        from backend_pair.workspace.hunks import apply_edits

        self.calls.append(("reject_hunk", rel, hunk_id))
        hunk = self._hunk(rel, hunk_id)
        # Dropping a hunk: the proposal keeps the disk side of it.
        proposal = self.proposal(rel)
        assert proposal is not None
        others = [h for h in proposal.hunks if h.id != hunk_id]
        disk = (self._disk(rel) or "").splitlines(keepends=True)
        edits = [e for h in others for e in h.edits]
        self._proposed[rel] = "".join(apply_edits(disk, edits))
        del hunk

    def comment_hunk(self, rel: str, hunk_id: str, text: str) -> None:
        self.calls.append(("comment_hunk", rel, hunk_id, text))
        self._comments.setdefault((rel, hunk_id), []).append(text)

    def accept_file(self, rel: str) -> None:
        self.calls.append(("accept_file", rel))
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.root / rel).write_text(self._proposed.pop(rel))
        self._accepted.append(rel)
        self._staged += 1

    def reject_file(self, rel: str, comment: str = "") -> None:
        self.calls.append(("reject_file", rel))
        self._proposed.pop(rel, None)
        self._conflicts.pop(rel, None)

    def undo_last_accept(self) -> str:
        self.calls.append(("undo_last_accept",))
        return "nothing to undo"

    def accepted_paths(self) -> list[str]:
        return list(dict.fromkeys(self._accepted))

    def counts(self) -> ReviewCounts:
        from backend_pair.workspace.model import ReviewCounts

        proposals = self.proposals()
        return ReviewCounts(sum(len(p.hunks) for p in proposals), self._staged, len(proposals), len(self._conflicts))
