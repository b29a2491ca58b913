"""The project's own error base: every error a user can cause is one of these, shown as one line."""


class BackendPairError(Exception):
    """An error the user can cause; ``str(error)`` is the one clear line shown at the edge (CLI or UI)."""


class NoTerminal(BackendPairError):
    """Standard input or output is not a terminal (a pipe, a file, ``/dev/null``): the app cannot run."""
