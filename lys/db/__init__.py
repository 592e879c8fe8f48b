"""Database access: engines from settings, transactional sessions, portable column types."""

from lys.db.engine import create_db_engine, normalize_url
from lys.db.session import make_session, transaction
from lys.db.types import UTCDateTime, utcnow

__all__ = [
    "UTCDateTime",
    "create_db_engine",
    "make_session",
    "normalize_url",
    "transaction",
    "utcnow",
]
