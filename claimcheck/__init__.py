"""claimcheck: find the claims news articles share and where their numbers, dates and attributions disagree.

The public API; heavy libraries (torch, spaCy, FAISS) load on first use, not on import.
"""

from .config import Settings
from .errors import ClaimcheckError, DatabaseError, InputError, ModelError, NotFoundError

__all__ = ["ClaimcheckError", "DatabaseError", "InputError", "ModelError", "NotFoundError", "Settings"]
__version__ = "0.1.0"
