"""The repository as the pair sees it: confinement, the proposal overlay, review decisions, staging and undo."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from backend_pair.workspace import search
from backend_pair.workspace.checkpoints import Checkpoint, Checkpoints
from backend_pair.workspace.command_review import CommandReport, CommandReview, CommandStart
from backend_pair.workspace.decisions import DecisionStack
from backend_pair.workspace.errors import (
    FileNotFoundInRepo,
    FileRefused,
    HunkNotFound,
    PathRefused,
    WorkspaceError,
)
from backend_pair.workspace.feedback import FeedbackQueue, short_diff
from backend_pair.workspace.gitrepo import GitRepository, open_repo
from backend_pair.workspace.hunks import Hunk
from backend_pair.workspace.model import (
    FileProposal,
    FileState,
    RebaseOutcome,
    RebaseStatus,
    ReviewCounts,
)
from backend_pair.workspace.overlay import ProposalEntry
from backend_pair.workspace.paths import check_proposable, confine, has_git_part, require_plain
from backend_pair.workspace.persist import SavedState
from backend_pair.workspace.rebase import rebase_entry
from backend_pair.workspace.staging import (
    encode,
    recover_interrupted,
)
from backend_pair.workspace.textfile import BOM, check_size, decode_text, detect_eol, normalize, read_file_bytes
from backend_pair.workspace.undoing import DecisionUndo


def open_workspace(path: Path) -> Workspace:
    """Open the working tree containing ``path``.

    Raises:
        NotARepository: Not a git working tree (or a bare repository), with how to fix it.
    """
    repo, root = open_repo(path)
    return Workspace(GitRepository(repo, root))


class Workspace(DecisionUndo):
    """The repository with the agent's pending proposals laid over it.

    Every method is synchronous and thread-safe (one lock); a UI calls them through ``asyncio.to_thread``.

    Files ignored by git are refused at proposal time (:class:`FileRefused`): what is accepted is always staged,
    and staging an ignored file (``git add -f``) would surprise the developer — think ``.env``. Ignored files can
    still be read. Submodule contents are never listed, searched or proposed.
    """

    def __init__(self, git: GitRepository) -> None:
        """Wrap an opened repository (use :func:`open_workspace`)."""
        self._git = git
        self.root: Path = git.root
        """Resolved working tree root."""
        self._lock = threading.RLock()
        self._entries: dict[str, ProposalEntry] = {}
        self._feedback = FeedbackQueue()
        self._decisions = DecisionStack()
        self._accepted: dict[str, int] = {}
        self._own_writes: dict[str, str | None] = {}
        self._commands = CommandReview(git, self._feedback, self._own_writes)
        self._checkpoints = Checkpoints(git, self._commands.snapshots)

    def close(self) -> None:
        """Release GitPython's helper processes."""
        with self._lock:
            self._git.close()

    # Paths and reading ------------------------------------------------------------------------------------------

    def branch(self) -> str:
        """The current branch (``main``), also on an unborn branch; ``detached at SHA`` otherwise."""
        with self._lock:
            return self._git.branch()

    def resolve(self, path: str) -> str:
        """Confine ``path`` to the working tree; see :func:`backend_pair.workspace.paths.confine`.

        Raises:
            PathRefused: ``..`` escapes, absolute paths elsewhere, symlinks leading out, anything under ``.git/``.
        """
        return confine(self.root, path)

    def _read_disk(self, rel: str) -> str | None:
        data = read_file_bytes(rel, self.root / rel)
        return None if data is None else decode_text(rel, data)

    def read_text(self, rel: str) -> str:
        """A file's text through the overlay (the pending proposal if any), line endings normalised to LF.

        A UTF-8 byte order mark is left out here and kept on write (see :meth:`propose`).

        Raises:
            PathRefused: The path is not inside the working tree.
            FileRefused: Binary, not UTF-8, or over the size limit.
            FileNotFoundInRepo: No such file and no proposal for it.
        """
        with self._lock:
            rel = self.resolve(rel)
            entry = self._entries.get(rel)
            if entry is not None:
                return entry.visible_text().removeprefix(BOM)
            raw = self._read_disk(rel)
            if raw is None:
                raise FileNotFoundInRepo(f"{rel}: no such file in the repository")
            return normalize(raw).removeprefix(BOM)

    def exists(self, rel: str) -> bool:
        """Whether the file exists on disk or as a pending proposal."""
        with self._lock:
            rel = self.resolve(rel)
            return rel in self._entries or (self.root / rel).is_file()

    def list_files(self) -> list[str]:
        """Tracked and untracked-not-ignored files, plus proposed new files, sorted (submodules excluded).

        Paths the pair refuses (a ``.GIT/`` or ``GIT~1/`` folder that git itself would list) are left out.
        """
        with self._lock:
            files = set(self._git.list_files())
            files.update(self._entries)
            return sorted(path for path in files if not has_git_part(path))

    def grep(
        self, pattern: str, path: str | None = None, glob: str | None = None, ignore_case: bool = False
    ) -> list[tuple[str, int, str]]:
        """Search file contents through the overlay.

        ``git grep`` searches the working tree (tracked and untracked-not-ignored files, binary files skipped);
        files with a pending proposal are searched in their proposed text instead.

        Args:
            pattern: A regular expression (Perl-compatible when git has PCRE, else extended; Python ``re`` on
                proposals).
            path: A file or folder to search in (default: the whole repository).
            glob: A file name pattern such as ``*.py``, ``src/**/*.ts`` or ``*.{ts,tsx}``.
            ignore_case: Case-insensitive search.

        Returns:
            ``(path, line number, line)`` sorted by path then line.

        Raises:
            PathRefused: ``path`` is outside the repository.
            WorkspaceError: The pattern is invalid.
        """
        with self._lock:
            prefix = None if path in (None, "", ".") else self.resolve(path)
            prefix = None if prefix == "." else prefix
            overlay = {rel: entry.visible_text() for rel, entry in self._entries.items()}
            hits = search.grep_overlay(self._git, overlay, pattern, prefix, glob, ignore_case)
            return [hit for hit in hits if not has_git_part(hit[0])]

    # Proposals --------------------------------------------------------------------------------------------------

    def propose(self, rel: str, content: str, agent: str = "") -> FileProposal:
        """Record the agent's full new content for a file (Write/Edit end here); never touches disk.

        ``agent`` names the subagent that proposed it (empty: the main agent); the review shows it.

        A second proposal for the same file replaces the first (the agent read the first through the overlay).
        If the file changed on disk meanwhile, the new content is merged onto it. Content equal to the disk
        content leaves no proposal (the returned one has no hunks).

        Raises:
            PathRefused: The path is not inside the working tree.
            FileRefused: The file (on disk or proposed) is binary, not UTF-8, too large, ignored by git, or in a
                submodule.
        """
        with self._lock:
            rel = self.resolve(rel)
            check_proposable(self._git, rel)
            if "\x00" in content:
                raise FileRefused(f"{rel}: proposed content has NUL bytes (binary); only text can be reviewed")
            check_size(rel, len(encode(content, rel)))
            disk = self._read_disk(rel)
            if disk is not None and disk.startswith(BOM) and not content.startswith(BOM):
                content = BOM + content  # the agent read the file without its byte order mark
            proposed = normalize(content)
            entry = self._entries.get(rel)
            if entry is None or entry.state is FileState.CONFLICT:
                accepted = entry.accepted if entry is not None else 0
                entry = ProposalEntry(rel, disk, proposed, eol=None if disk is not None else detect_eol(content))
                entry.accepted = accepted
                entry.settle_state()
            elif disk != entry.base_raw:
                entry.proposed = proposed
                entry.changed()
                if entry.base_raw is None:
                    entry.was_deleted = False
                self._rebase(entry, disk)
            else:
                entry.proposed = proposed
                entry.changed()
            entry.agent = agent
            self._entries[rel] = entry
            snapshot = entry.snapshot()
            if entry.is_done():
                del self._entries[rel]
            return snapshot

    def proposals(self) -> list[FileProposal]:
        """Every pending file proposal, then every change an approved command made, each sorted by path."""
        with self._lock:
            return [self._entries[rel].snapshot() for rel in sorted(self._entries)] + self._commands.views()

    def proposal(self, rel: str) -> FileProposal | None:
        """The pending proposal for one file, if any."""
        with self._lock:
            entry = self._entries.get(self.resolve(rel))
            return None if entry is None else entry.snapshot()

    def _entry(self, rel: str) -> ProposalEntry:
        entry = self._entries.get(self.resolve(rel))
        if entry is None:
            raise HunkNotFound(f"{rel}: no pending proposal")
        return entry

    def _synced_entry(self, rel: str) -> ProposalEntry:
        """The entry, rebased first if the file changed on disk since we last looked (watcher not caught up)."""
        entry = self._entry(rel)
        if entry.state is not FileState.CONFLICT:
            disk = self._read_disk(entry.path)
            if disk != entry.base_raw and not (disk is None and entry.was_deleted):
                self._rebase(entry, disk)
        return entry

    def _hunk(self, entry: ProposalEntry, hunk_id: str) -> Hunk:
        if entry.state is FileState.CONFLICT:
            raise WorkspaceError(
                f"{entry.path} conflicts with your edits; reject it, or ask the agent to redo it on top of them"
            )
        hunk = entry.hunk(hunk_id)
        if hunk is None:
            raise HunkNotFound(f"{entry.path}: no pending hunk {hunk_id} (decided already, or the file changed)")
        return hunk

    # Commands ---------------------------------------------------------------------------------------------------

    def begin_command(self, command: str) -> CommandStart:
        """Snapshot the working tree before an approved command runs (``git add -A`` into a private index).

        Raises:
            SnapshotSkipped: It cannot be snapshotted (too many untracked bytes, git failed); say so and run anyway.
        """
        with self._lock:
            return self._commands.begin(command)

    def finish_command(self, start: CommandStart) -> CommandReport:
        """Put what the command changed under review; proposals on files it changed are rebased onto them."""
        with self._lock:
            report = self._commands.finish(start)
            self._rebase_after_command(report.changed)
            return report

    def recover_interrupted_command(self) -> CommandReport | None:
        """Put the changes of a command cut short by a crash under review (once); None when none was running."""
        with self._lock:
            report = self._commands.recover()
            if report is not None:
                self._rebase_after_command(report.changed)
            return report

    def recover_interrupted_accept(self) -> str | None:
        """Finish or roll back an accept a crash cut short (disk and index agree again); one line, or None."""
        with self._lock:
            return recover_interrupted(self._git, self.root)

    # Checkpoints ------------------------------------------------------------------------------------------------

    def checkpoint(self, label: str) -> Checkpoint:
        """Record the working tree as a turn starts (``label``: what the developer asked).

        Raises:
            SnapshotSkipped: The tree is too large to snapshot.
        """
        with self._lock:
            return self._checkpoints.take(label)

    def checkpoints(self) -> list[Checkpoint]:
        """The session's checkpoints, newest first."""
        with self._lock:
            return list(reversed(self._checkpoints.items))

    def changed_since(self, checkpoint: Checkpoint) -> list[str]:
        """Paths that differ between a checkpoint and the working tree now, sorted."""
        with self._lock:
            return sorted(change.path for change in self._checkpoints.changed_since(checkpoint.tree))

    def propose_rewind(self, rel: str, checkpoint: Checkpoint) -> FileProposal:
        """Propose a file's content as it was at a checkpoint; nothing is written until its hunks are accepted.

        Raises:
            WorkspaceError: The file did not exist then (deleting is left to the developer), or the checkpoint is
                gone from git.
            FileRefused: It was binary or not UTF-8 then.
        """
        with self._lock:
            rel = self.resolve(rel)
            data = self._checkpoints.content_at(checkpoint.tree, rel)
            if data is None:
                raise WorkspaceError(
                    f"{rel} did not exist before “{checkpoint.label}”; to take it back, delete it (git rm {rel})"
                )
            return self.propose(rel, decode_text(rel, data))

    def _rebase_after_command(self, paths: Iterable[str]) -> None:
        for rel in paths:
            entry = self._entries.get(rel)
            if entry is None or entry.state is FileState.CONFLICT:
                continue
            try:
                disk = self._read_disk(rel)
            except FileRefused:
                continue
            if disk != entry.base_raw:
                self._rebase(entry, disk)

    # Feedback and counts ----------------------------------------------------------------------------------------

    def take_feedback(self) -> str:
        """Queued feedback as plain text for the next user message, emptying the queue (``""`` when empty)."""
        with self._lock:
            return self._feedback.take()

    def has_feedback(self) -> bool:
        """Whether feedback is waiting."""
        with self._lock:
            return bool(self._feedback)

    def counts(self) -> ReviewCounts:
        """Pending hunks, staged hunks, files under review, files in conflict."""
        with self._lock:
            return ReviewCounts(
                pending_hunks=sum(len(e.hunks()) for e in self._entries.values()) + self._commands.pending_hunks(),
                staged_hunks=sum(self._accepted.values()),
                files=len(self._entries) + len(self._commands.changes),
                conflicts=sum(1 for e in self._entries.values() if e.state is FileState.CONFLICT),
            )

    # Outside edits ----------------------------------------------------------------------------------------------

    def _rebase(self, entry: ProposalEntry, disk: str | None) -> RebaseOutcome:
        old_base = entry.base if entry.state is not FileState.CONFLICT else None
        if old_base is None and entry.conflict is not None:
            old_base = entry.conflict.ours
        status, detail = rebase_entry(self._git, entry, disk)
        if status is not RebaseStatus.UNCHANGED:
            diff = short_diff(old_base or "", normalize(disk)) if disk is not None else ""
            self._feedback.outside_edit(entry.path, diff, detail)
        if entry.is_done():
            self._entries.pop(entry.path, None)
        return RebaseOutcome(entry.path, status, detail)

    def disk_changed(self, paths: Iterable[str]) -> list[RebaseOutcome]:
        """React to files changed on disk outside the app (the watcher's batches).

        Proposals on changed files are rebased (three-way merge; conflicts are marked, never written); a deleted
        file's proposal follows a same-batch rename (a new file with the old content), else is marked
        ``deleted_on_disk``. Changes to other files are listed for the agent. Our own writes are recognised and
        ignored.

        Returns:
            One outcome per proposal on a changed file.
        """
        with self._lock:
            rels: list[str] = []
            for path in paths:
                try:
                    rels.append(self.resolve(path))
                except PathRefused:
                    continue
            outcomes: list[RebaseOutcome] = []
            outside: list[str] = []
            vanished: list[ProposalEntry] = []
            for rel in sorted(set(rels)):
                entry = self._entries.get(rel)
                try:
                    disk = self._read_disk(rel)
                except FileRefused as err:
                    if entry is not None:
                        outcomes.append(RebaseOutcome(rel, RebaseStatus.UNCHANGED, str(err)))
                    continue
                if entry is None:
                    if rel in self._own_writes and self._own_writes[rel] == disk:
                        del self._own_writes[rel]
                    else:
                        outside.append(rel)
                elif disk is None and entry.base_raw is not None and entry.state is not FileState.CONFLICT:
                    vanished.append(entry)
                else:
                    outcomes.append(self._rebase(entry, disk))
            for entry in vanished:
                target = next((r for r in outside if self._read_disk(r) == entry.base_raw), None)
                if target is None:
                    outcomes.append(self._rebase(entry, None))
                    continue
                outside.remove(target)
                old = entry.path
                del self._entries[old]
                entry.path = target
                self._entries[target] = entry
                detail = f"{old} was renamed to {target}; the proposal moved with it"
                self._feedback.outside_edit(old, "", detail)
                outcomes.append(RebaseOutcome(old, RebaseStatus.RENAMED, detail, new_path=target))
            if outside:
                # A file that is gone and was never tracked came and went between two looks (an editor's or
                # `sed -i`'s temporary file): not worth the agent's attention.
                tracked = self._git.index_entries(outside)
                outside = [rel for rel in outside if (self.root / rel).exists() or rel in tracked]
            if outside:
                self._feedback.outside_files(outside)
            return outcomes

    # Persistence ------------------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Pending proposals, comments, queued feedback and accept history, as plain JSON data."""
        with self._lock:
            state = SavedState(list(self._entries.values()), self._decisions, self._accepted, self._feedback)
            return {
                **state.to_json(),
                "commands": self._commands.to_json(),
                "checkpoints": self._checkpoints.to_json(),
            }

    def restore_json(self, data: dict[str, Any]) -> None:
        """Bring back a session saved by :meth:`to_json`, then rebase its proposals onto today's disk content.

        Raises:
            WorkspaceError: The data is damaged or from another version; nothing changes.
            PathRefused: It names a path that is not a plain path inside this repository.
        """
        with self._lock:
            state = SavedState.from_json(data)
            commands = data.get("commands") or []
            command_paths = [str(item.get("path", "")) for item in commands if isinstance(item, dict)]
            require_plain(
                self.root,
                [e.path for e in state.entries]
                + [path for d in state.decisions.done + state.decisions.undone for path in d.paths()]
                + command_paths,
            )
            self._commands.restore_json(commands)
            saved_checkpoints = data.get("checkpoints")
            if isinstance(saved_checkpoints, list):
                self._checkpoints.restore_json(saved_checkpoints)
            self._entries = {entry.path: entry for entry in state.entries}
            self._decisions, self._accepted, self._feedback = state.decisions, state.accepted, state.feedback
            self._commands.feedback = self._feedback
            for entry in state.entries:
                try:
                    disk = self._read_disk(entry.path)
                except FileRefused as err:
                    self._feedback.items.append(f"{err}; the pending proposal for it cannot be applied")
                    continue
                if disk != entry.base_raw and not (disk is None and entry.was_deleted):
                    self._rebase(entry, disk)
