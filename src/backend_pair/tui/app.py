"""The Textual app: owns the workspace and the agent session, opened after the first frame.

The jobs are in modules of their own: ``startup`` (what is made and said first), ``turns`` (running the agent),
``review_steps`` (the review decisions), ``background`` (the disk watcher), ``toasts`` (one toast per kind); the
main screen shows what they hand it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import BindingType
from textual.notifications import Notification, SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from backend_pair.agents.port import SessionPort
from backend_pair.errors import BackendPairError, NoTerminal
from backend_pair.tui import review_steps, startup, turns
from backend_pair.tui.background import FailureLines, disk_changed, watch_disk
from backend_pair.tui.bindings import bind
from backend_pair.tui.config import AppConfig
from backend_pair.tui.screens.main import MainScreen
from backend_pair.tui.theme import use_pair_colours
from backend_pair.tui.toasts import ToastShelf
from backend_pair.untrusted import visible

# The modals (Bash approval, help) are imported when first shown: they are not on the first frame.

if TYPE_CHECKING:
    from backend_pair.agents.approval import BashDecision, BashRequest
    from backend_pair.agents.checklist import Checklist
    from backend_pair.workspace import FileProposal, Workspace

TOAST_OVER_REVIEW_SECONDS = 3.0
"""The longest a toast may lie over the review pane (a narrow screen showing it): the current hunk is there."""

BACKGROUND_GROUPS = {"startup": "starting the session", "watch": "watching for outside edits"}
"""Worker groups that run unasked, and what each does (for the one line that reports its failure)."""


SessionFactory = Callable[["BackendPairApp"], Awaitable[SessionPort]]
"""Makes the agent session once the workspace is open (tests pass a scripted one)."""


class BackendPairApp(App[int]):
    """The pair programmer's face: one main screen, a help screen and the Bash approval modal."""

    TITLE = "backend-pair"
    ENABLE_COMMAND_PALETTE = False
    CSS_PATH = "screens/main.tcss"
    """The main screen's layout; loaded by the app because the main screen is its default screen."""
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.quit", "quit", "Quit", priority=True),
        bind("app.help", "help", "Help"),
    ]

    def __init__(
        self,
        config: AppConfig,
        *,
        workspace: Workspace | None = None,
        session_factory: SessionFactory | None = None,
        watch: bool = True,
    ) -> None:
        """Create the app; nothing slow happens until after the first frame.

        Args:
            config: The command line's decisions.
            workspace: An open workspace (tests); opened in a thread after mount when None.
            session_factory: Makes the agent session (tests); the real one imports ``anthropic`` lazily.
            watch: Watch the working tree for outside edits.
        """
        super().__init__()
        use_pair_colours(self)
        self.set_keymap(config.keymap)  # before the main screen composes, so its footer shows the keymap's keys
        self.config = config
        """The command line's decisions."""
        self.workspace: Workspace | None = workspace
        """The repository with the proposal overlay, once open."""
        self.checklist: Checklist | None = None
        """The live checklist."""
        self.session: SessionPort | None = None
        """The agent session, once connected."""
        self._session_factory = session_factory or startup.default_session
        self._watch = watch
        self._session_ready: asyncio.Event = asyncio.Event()
        self._stop_watching = asyncio.Event()
        self._quitting = False
        self._failures = FailureLines(config.root)
        self._toasts = ToastShelf(self)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
        kind: str | None = None,
    ) -> None:
        """Show a toast, replacing the one of the same kind: toasts never pile up.

        Messages quote paths, git output and API errors: every one is made visible here, and markup is off by
        default (a file named ``[red]x`` is a name, not a style). While the toast would lie over the review pane
        (a narrow screen showing it), it stays at most :data:`TOAST_OVER_REVIEW_SECONDS`.

        Args:
            message: What to say.
            title: A title line.
            severity: ``information``, ``warning`` or ``error``.
            timeout: Seconds to show it (Textual's default when None).
            markup: Read ``message`` as content markup.
            kind: What the toast is about (``"disk"``, ``"review"``): a new toast of a kind replaces the one
                showing. Without it, the same message and severity replace each other.
        """
        seconds = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        if self.toasts_cover_review():
            seconds = min(seconds, TOAST_OVER_REVIEW_SECONDS)
        notification = Notification(visible(message), visible(title, multiline=False), severity, seconds, markup=markup)
        self._toasts.show(kind or f"{severity}:{message}", notification)

    def toasts_cover_review(self) -> bool:
        """True when a toast would lie over the review pane: the main screen, narrow, showing review.

        On a wide screen toasts sit top left, over the conversation (see ``main.tcss``), never over the diff.
        """
        try:
            main = self.main
        except LookupError:
            return False
        return self.screen is main and main.has_class("-narrow") and main.has_class("-show-review")

    def keep_toasts_off_review(self) -> None:
        """Shorten the toasts showing to :data:`TOAST_OVER_REVIEW_SECONDS` when they now cover the review pane."""
        if self.toasts_cover_review():
            self._toasts.shorten(TOAST_OVER_REVIEW_SECONDS)

    # Startup

    def get_default_screen(self) -> Screen[Any]:
        """The main screen, as the first screen: composed with the app, its first frame is the first frame shown.

        Pushed from ``on_mount`` instead, it would be laid out and rendered once while Textual still batches the
        start-up (a frame never shown), then rendered again.
        """
        return MainScreen()

    def on_mount(self) -> None:
        """Start everything slow in a worker that waits for the first frame (already the whole screen) to be painted.

        Its threads import GitPython and friends: running at once, they would take the interpreter lock from the
        first paint.
        """
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        # A background task's failure is reported (``on_worker_state_changed``), never the end of the app.
        self.run_worker(self._start(painted), name="startup", group="startup", exit_on_error=False)

    @property
    def keymap(self) -> Mapping[str, str]:
        """The active keymap: binding id -> keys (what ``set_keymap`` was given)."""
        return self.config.keymap

    @property
    def main(self) -> MainScreen:
        """The main screen (wherever a modal is)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen not mounted")

    async def _start(self, painted: asyncio.Event) -> None:
        await painted.wait()
        screen = self.main
        try:
            if self.workspace is None:
                self.workspace = await asyncio.to_thread(startup.open_workspace, self.config.root)
            workspace = self.workspace
            repaired = await asyncio.to_thread(workspace.recover_interrupted_accept)
            if repaired:
                await screen.say(repaired, "info")
            screen.show_branch(await asyncio.to_thread(workspace.branch))
            self.checklist = await asyncio.to_thread(startup.new_checklist, self.config.definition)
            self.refresh_checklist(mark_changes=False)
            await self.refresh_review()
            if self._watch:
                self.run_worker(self._watch_disk(), name="watch", group="watch", exit_on_error=False)
            reminder = None
            if self.config.resume is None:
                from backend_pair.workspace.journal import pending_reminder

                reminder = await asyncio.to_thread(pending_reminder, self.config.root)
            self.session = session = await self._session_factory(self)
            if (resumed := startup.resumed_checklist(session)) is not None:
                self.checklist = resumed
            await startup.show_restored(screen, session, resumed=self.config.resume is not None)
            if reminder:
                await screen.say(reminder, "info")
            if await startup.recover_interrupted_command(screen, workspace):
                await self.snapshot_journal()
        except BackendPairError as err:
            screen.show_activity("offline")
            await screen.say(str(err), "error")
            return
        finally:
            self._session_ready.set()
        screen.show_activity("ready")
        self.refresh_checklist(mark_changes=False)  # a resumed checklist is loaded whole, not changed
        await self.refresh_review()
        await startup.greet(screen, self.config)
        if self.session is not None:
            await startup.announce_settings(screen, self.session, self)

    async def snapshot_journal(self) -> None:
        """Journal proposals and checklist as they stand (after a tick, evidence or an outside edit)."""
        if self.session is not None:
            await asyncio.to_thread(self.session.snapshot)

    # Turns

    async def send_prompt(self, text: str) -> None:
        """Show the prompt and start a turn for it (one turn at a time)."""
        if turns.turn_running(self):
            self.notify("The agent is still working: Esc cancels the turn.", severity="warning", kind="busy")
            return
        await self.main.show_user(text)
        self.run_worker(self._run_turn(text), name="turn", group=turns.TURN_GROUP, exclusive=True)

    async def compact_now(self) -> None:
        """Compact the conversation now (``app.compact``), between turns."""
        if turns.turn_running(self):
            self.notify(
                "The agent is working: compact once the turn ends (Esc cancels it).", severity="warning", kind="busy"
            )
            return
        self.run_worker(self._run_compaction(), name="compact", group=turns.TURN_GROUP, exclusive=True)

    async def _run_turn(self, text: str) -> None:
        screen = self.main
        await self._session_ready.wait()
        await turns.run_turn(screen, self.session, text, quitting=lambda: self._quitting)

    async def _run_compaction(self) -> None:
        await self._session_ready.wait()
        if self.session is not None:
            await turns.run_compaction(self.main, self.session)

    def cancel_turn(self) -> None:
        """Cancel the running turn, if any (the session journals what it had)."""
        if turns.turn_running(self):
            self.workers.cancel_group(self, turns.TURN_GROUP)

    async def approve_bash(self, request: BashRequest) -> BashDecision:
        """The approver the agent loop awaits: show the modal, resolve when the developer decides.

        Args:
            request: The command, its working directory and the agent's reason.
        """
        from backend_pair.tui.screens.approval import ask_developer

        return await ask_developer(self, self.main, request)

    async def redo_conflict(self, path: str) -> None:
        """Drop a conflicted proposal and ask the agent to redo it against what is on disk now."""
        if turns.turn_running(self) or self.session is None:
            self.notify(
                "Wait for the agent to finish (or Esc) before asking for a redo.", severity="warning", kind="busy"
            )
            await self.refresh_review()
            return
        await self.reject_file(path, "it conflicted with edits made on disk")
        await self.send_prompt(
            f"Your proposal for {path} conflicted with edits made on disk, so I dropped it. "
            f"Read {path} again and redo the change on top of what is there now."
        )

    async def open_rewind(self, preferred: str | None) -> None:
        """Pick a turn and a file; propose the file as it was before that turn (reviewed like any proposal)."""
        await review_steps.open_rewind(self, preferred)

    # Review and checklist

    async def accept_hunk(self, path: str, hunk_id: str) -> None:
        """Write and stage one hunk (off the event loop), then refresh what depends on it."""
        decision = {"op": "accept_hunk", "path": path, "hunk_id": hunk_id}
        await review_steps.decide(self, decision, lambda workspace: workspace.accept_hunk(path, hunk_id), accepted=True)

    async def reject_hunk(self, path: str, hunk_id: str) -> None:
        """Drop one hunk from the proposal (the agent hears of it with the next message)."""
        decision = {"op": "reject_hunk", "path": path, "hunk_id": hunk_id}
        await review_steps.decide(self, decision, lambda workspace: workspace.reject_hunk(path, hunk_id))

    async def accept_file(self, path: str) -> None:
        """Write and stage every pending hunk of a file."""
        await review_steps.decide(
            self, {"op": "accept_file", "path": path}, lambda workspace: workspace.accept_file(path), accepted=True
        )

    async def reject_file(self, path: str, reason: str = "") -> None:
        """Drop a file's whole proposal; ``reason`` goes to the agent with the rejection."""
        decision = {"op": "reject_file", "path": path, **({"comment": reason} if reason else {})}
        await review_steps.decide(self, decision, lambda workspace: workspace.reject_file(path, reason))

    async def comment_hunk(self, path: str, hunk_id: str, text: str) -> None:
        """Attach a comment to a hunk without deciding it (it goes to the agent with the next message)."""
        decision = {"op": "comment_hunk", "path": path, "hunk_id": hunk_id, "comment": text}
        await review_steps.decide(
            self,
            decision,
            lambda workspace: workspace.comment_hunk(path, hunk_id, text),
            said="Comment saved; it goes to the agent with your next message.",
        )

    async def edit_proposal(self, path: str, hunk_id: str | None) -> None:
        """Edit a hunk (or, for None, the whole proposed file) in ``$VISUAL`` / ``$EDITOR`` (``review.edit_hunk``)."""
        await review_steps.edit_proposal(self, path, hunk_id)

    async def undo_decision(self, *, redo: bool) -> None:
        """Undo the last review decision of any kind (``review.undo``), or redo the one undone last."""
        await review_steps.undo_decision(self, redo=redo)

    async def apply_evidence(self) -> None:
        """Tick checklist items the accepted files prove (after an accept or an undo)."""
        workspace, checklist = self.workspace, self.checklist
        if workspace is None or checklist is None:
            return
        accepted = await asyncio.to_thread(workspace.accepted_paths)
        if await asyncio.to_thread(checklist.apply_evidence, workspace.root, accepted):
            await self.snapshot_journal()
            self.refresh_checklist()

    async def refresh_review(self) -> None:
        """Reload proposals and counts into the review pane, status line and tabs."""
        workspace = self.workspace
        if workspace is None:
            return
        proposals = await asyncio.to_thread(workspace.proposals)
        counts = await asyncio.to_thread(workspace.counts)
        problems = await asyncio.to_thread(_contract_problems, proposals)
        self.main.show_review(proposals, problems, counts)

    def refresh_checklist(self, *, mark_changes: bool = True) -> None:
        """Redraw the checklist.

        Args:
            mark_changes: Mark and scroll to the items the agent or evidence changed (False while starting up).
        """
        if self.checklist is None:
            return
        self.main.show_checklist(self.checklist.groups(), self.checklist.items(), mark_changes=mark_changes)

    async def toggle_checklist_item(self, item_id: str) -> None:
        """Toggle an item as the developer."""
        if self.checklist is None:
            return
        try:
            self.checklist.toggle(item_id)
        except BackendPairError as err:
            self.notify(str(err), severity="error")
            return
        self.refresh_checklist()
        await self.snapshot_journal()

    async def _watch_disk(self) -> None:
        if self.workspace is not None:
            await watch_disk(self, self.workspace, self._stop_watching)

    async def _disk_changed(self, workspace: Workspace, paths: set[str]) -> None:
        await disk_changed(self, workspace, paths)

    async def background_failed(self, task: str, error: BaseException, then: str) -> None:
        """Log a background task's failure and say so in one conversation line, once per task for the session."""
        line = self._failures.line(task, error, then)
        if line is not None:
            with contextlib.suppress(LookupError):  # quitting: the screen is gone, the log has it
                await self.main.say(line, "error")

    # Actions

    def copy_text(self, text: str, what: str) -> None:
        """Put ``text`` on the clipboard with OSC 52 (works over SSH)."""
        self.copy_to_clipboard(text)
        lines = text.count("\n") + 1
        self.notify(f"Copied the {what} ({lines} line{'s' if lines != 1 else ''}).", kind="copy")

    def action_help(self) -> None:
        """Show every binding of the active keymap."""
        from backend_pair.tui.screens.help import HelpScreen, binding_rows, context_lines

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(binding_rows(self.config.keymap), "active", context_lines(self.session)))

    def action_focus_prompt(self) -> None:
        """Back to the prompt (Esc in the review pane or checklist)."""
        self.main.action_focus_pane("prompt")

    async def action_quit(self) -> None:
        """Quit; the journal already holds the conversation, proposals and checklist."""
        self._quitting = True
        self._stop_watching.set()
        self.cancel_turn()
        self.exit(0)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Report a worker that died of an error; a background one (start-up, watching) never ends the app."""
        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        if event.worker.group in BACKGROUND_GROUPS:
            if event.worker.group == "startup":
                self.main.show_activity("offline")
            await self.background_failed(BACKGROUND_GROUPS[event.worker.group], error, "the app goes on without it")
        elif isinstance(error, BackendPairError):
            self.notify(str(error), severity="error", timeout=10)


def _contract_problems(proposals: list[FileProposal]) -> dict[str, str]:
    """Path -> first validation problem of each proposed OpenAPI/DBML document; called in a thread."""
    from backend_pair.agents.contracts import contract_problems

    return contract_problems([(p.path, p.proposed) for p in proposals if p.conflict is None])


def run_app(config: AppConfig) -> int:
    """Run the app in the terminal; returns the exit status.

    Args:
        config: The command line's decisions.

    Raises:
        NoTerminal: Standard input or output is not a terminal (the app would wait on input that never comes).
    """
    import sys

    for name, stream in (("input", sys.stdin), ("output", sys.stdout)):
        if stream is None or not stream.isatty():
            raise NoTerminal(
                f"standard {name} is not a terminal; backend-pair is an interactive app: run it in a terminal "
                "(for scripts, `backend-pair agents` and `backend-pair agents check` need none)"
            )
    app = BackendPairApp(config)
    result = app.run()
    return result if isinstance(result, int) else app.return_code or 0
