"""Review feedback for the agent: rejections, comments, accepts and outside edits, as plain text."""

from __future__ import annotations

from backend_pair.workspace.hunks import Hunk, compute_hunks
from backend_pair.workspace.textfile import split_lines

HUNK_PREVIEW_LINES = 12
"""Diff lines quoted per hunk in feedback, so the agent knows what was meant without a wall of text."""

MAX_LISTED_FILES = 20
"""File names listed in one outside-edit notice before ``(+N more)``."""


def short_diff(old: str, new: str, max_lines: int = HUNK_PREVIEW_LINES) -> str:
    """A unified diff of two texts cut to about ``max_lines`` lines."""
    out: list[str] = []
    for hunk in compute_hunks(split_lines(old), split_lines(new), context=1):
        out.extend(hunk.as_text().splitlines())
        if len(out) > max_lines:
            return "\n".join([*out[:max_lines], "..."])
    return "\n".join(out)


def plural(count: int, word: str) -> str:
    """``1 hunk``, ``2 hunks``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


class FeedbackQueue:
    """Items waiting to travel with the developer's next message."""

    def __init__(self) -> None:
        """Start empty."""
        self.items: list[str] = []
        self.accepted_hunks: dict[str, int] = {}
        """Hunks accepted per file since the last take (summed into one line, not one line per accept)."""
        self._comments: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def __bool__(self) -> bool:
        """Whether anything is queued."""
        return bool(self.items) or any(self.accepted_hunks.values())

    def take(self) -> str:
        """All items as one text block, emptying the queue; ``""`` when empty."""
        items = list(self.items)
        accepted = [f"{count} hunk(s) in {path}" for path, count in sorted(self.accepted_hunks.items()) if count > 0]
        if accepted:
            items.insert(0, f"Accepted, written to disk and staged: {', '.join(accepted)}.")
        self.items = []
        self.accepted_hunks = {}
        self._comments = {}
        if not items:
            return ""
        return "Review feedback since your last turn:\n" + "\n".join(f"- {item}" for item in items)

    def rejected(self, path: str, hunk: Hunk, comment: str, edited: str = "") -> tuple[str, list[tuple[str, str]]]:
        """The developer rejected a hunk (it is gone from the proposal); comments on it not sent yet join it.

        Args:
            path: The file.
            hunk: The rejected hunk.
            comment: Why, if the developer said.
            edited: When the developer had rewritten the hunk first, how (then that is quoted, not the hunk).

        Returns:
            The queued line, and the comment lines (line, comment) it took in.
        """
        earlier = self._comments.pop((path, hunk.id), [])
        for item, _text in earlier:
            if item in self.items:
                self.items.remove(item)
        said = [text for _item, text in earlier] + ([comment.strip()] if comment.strip() else [])
        why = f' The developer says: "{" / ".join(said)}"' if said else ""
        if edited:
            body = "The developer had edited it first (- your lines, + theirs):\n" + _indent(edited)
        else:
            body = _indent(hunk.as_text(HUNK_PREVIEW_LINES))
        item = f"Rejected hunk {hunk.header} in {path} (removed from your proposal).{why}\n" + body
        self.items.append(item)
        return item, earlier

    def rejected_file(self, path: str, hunks: int, comment: str) -> str:
        """The developer rejected every remaining hunk of a file; returns the queued line."""
        why = f' The developer says: "{comment.strip()}"' if comment.strip() else ""
        what = f"Rejected all {hunks} pending hunk(s) in {path}" if hunks else f"Rejected your proposal for {path}"
        item = f"{what}; your proposal for it is dropped.{why}"
        self.items.append(item)
        return item

    def commented(self, path: str, hunk: Hunk, text: str) -> str:
        """A comment on a hunk, still pending (folded into the rejection if the hunk is rejected before it is sent).

        Returns:
            The queued line.
        """
        item = f'Comment on hunk {hunk.header} in {path} (still pending review): "{text.strip()}"\n' + _indent(
            hunk.as_text(HUNK_PREVIEW_LINES)
        )
        self.items.append(item)
        self._comments.setdefault((path, hunk.id), []).append((item, text.strip()))
        return item

    def withdraw(self, item: str) -> bool:
        """Take a queued line back; False when it is not queued any more (it was sent)."""
        if item not in self.items:
            return False
        self.items.remove(item)
        for pending in self._comments.values():
            pending[:] = [pair for pair in pending if pair[0] != item]
        return True

    def restore_comments(self, path: str, hunk_id: str, folded: list[tuple[str, str]]) -> None:
        """Queue again the comment lines a rejection took in (the rejection was undone before it was sent)."""
        for item, text in folded:
            self.items.append(item)
            self._comments.setdefault((path, hunk_id), []).append((item, text))

    def took_back(self, what: str) -> None:
        """The developer undid a decision the agent was already told about."""
        self.items.append(f"The developer took back {what}.")

    def edited_and_accepted(self, path: str, diff: str) -> str:
        """A hunk the developer rewrote was accepted; returns the queued line."""
        item = (
            f"You proposed a change to {path}; the developer changed it and accepted their version (written and "
            "staged; do not redo yours). Lines starting with - are what you proposed, + what was accepted:\n"
            + _indent(diff)
        )
        self.items.append(item)
        return item

    def edited_away(self, path: str, diff: str) -> str:
        """The developer edited a hunk back to the file's own content (the change is gone); returns the line."""
        item = (
            f"The developer edited your change to {path} back to the file's current content; it is dropped from your "
            "proposal (- your lines, + theirs):\n" + _indent(diff)
        )
        self.items.append(item)
        return item

    def accepted(self, path: str, hunks: int) -> None:
        """Hunks of a file were written to disk and staged."""
        self.accepted_hunks[path] = self.accepted_hunks.get(path, 0) + hunks

    def undone(self, label: str, per_file: dict[str, int]) -> None:
        """An accept was undone; the hunks are pending again (silent if the agent never heard of the accept)."""
        already_told = False
        for path, hunks in per_file.items():
            if self.accepted_hunks.get(path, 0) >= hunks:
                self.accepted_hunks[path] -= hunks
            else:
                already_told = True
        if already_told:
            self.items.append(f"The developer undid the accept of {label}; those hunks are pending review again.")

    def outside_edit(self, path: str, diff: str, outcome: str) -> None:
        """A file under a proposal changed on disk."""
        body = f"\n{_indent(diff)}" if diff else ""
        self.items.append(f"Outside edit: {outcome}.{body}")

    def outside_files(self, paths: list[str]) -> None:
        """Files without proposals changed on disk."""
        shown = ", ".join(paths[:MAX_LISTED_FILES])
        more = f" (+{len(paths) - MAX_LISTED_FILES} more)" if len(paths) > MAX_LISTED_FILES else ""
        self.items.append(f"Files changed on disk outside the app: {shown}{more}. Read them again before editing.")

    def redo(self, path: str) -> None:
        """The developer asked for a conflicted proposal to be redone."""
        self.items.append(
            f"Your proposal for {path} conflicted with the developer's edits and was dropped; read {path} again "
            "and propose the change anew on top of the current content."
        )
