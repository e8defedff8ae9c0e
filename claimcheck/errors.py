"""The library's own error types: the CLI turns each into one line and a non-zero exit code."""


class ClaimcheckError(Exception):
    """Base class: a problem the user can act on, reported without a traceback."""


class InputError(ClaimcheckError):
    """An input file, folder or option that claimcheck cannot use."""


class ModelError(ClaimcheckError):
    """An embedding model that cannot be loaded (claimcheck never downloads one)."""


class DatabaseError(ClaimcheckError):
    """A database that is broken, locked for too long, or from a newer claimcheck."""


class NotFoundError(ClaimcheckError):
    """A flag, claim or article id that is not in the database."""
