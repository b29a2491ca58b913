"""The app's log file: warnings and errors of a running session go to ``<git dir>/backend-pair/backend-pair.log``.

While the terminal UI runs, nothing may print to the terminal; a background task that fails (watching the disk,
starting the session) says so in one line on screen, and the details (the traceback) land here.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "backend-pair.log"
"""The file's name, beside the sessions folder."""

MAX_BYTES = 1024 * 1024
"""Size at which the file is rotated (one previous file, ``.1``, is kept)."""

_PACKAGE_LOGGER = "backend_pair"

_current: Path | None = None


def log_to_file(folder: Path) -> Path | None:
    """Send the package's warnings and errors to ``folder/backend-pair.log`` (made when missing).

    Records are already redacted (see :func:`backend_pair.redact.redact_log_records`). Calling it again moves the
    log. A folder that cannot be written leaves logging as it was (the app still runs).

    Args:
        folder: Usually ``<git dir>/backend-pair``.

    Returns:
        The log file, or None when it could not be opened.
    """
    global _current
    logger = logging.getLogger(_PACKAGE_LOGGER)
    path = folder / LOG_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=1, encoding="utf-8")
    except OSError:
        return None
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    for old in [h for h in logger.handlers if getattr(h, "backend_pair_log", False)]:
        logger.removeHandler(old)
        old.close()
    handler.backend_pair_log = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    _current = path
    return path


def current_log() -> Path | None:
    """The log file in use, None before :func:`log_to_file` (tests, ``agents`` subcommands)."""
    return _current
