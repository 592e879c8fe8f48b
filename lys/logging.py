"""Process-wide logging set from ``LOG_LEVEL`` (derived from ``ENV`` unless set)."""

from __future__ import annotations

import logging

from lys.conf.settings import Settings


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level or "INFO",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("lys").setLevel(settings.log_level or "INFO")
