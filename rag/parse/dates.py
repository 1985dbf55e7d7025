"""Dates as sites and exports write them, read into epoch seconds (UTC).

One reader for every "when did this change" a document states: ISO 8601
(sitemaps, JSON APIs, ``<meta>`` tags), HTTP dates (``Last-Modified``),
Unix timestamps (Intercom) and the written-out forms exports use
("Jun 12, 2024", Notion's "March 5, 2024 2:15 PM").
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def parse_date(value: str) -> datetime | None:
    """A UTC datetime from the date formats exporters use (LinkedIn: ``2024-03-05 14:02:11``)."""
    value = value.strip()
    if not value:
        return None
    if value.upper().endswith(" UTC"):
        value = value[:-4].strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d %b %Y",
                    "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"):
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


_CLOCK = re.compile(r"[\s,]+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?$")
EARLIEST = 631152000.0  # 1990-01-01: anything earlier is a placeholder, not a date


def when(value: object) -> float | None:
    """Epoch seconds for a date in any of the forms above; None when there is none or it makes no sense."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        stamp = float(value) / (1000.0 if value > 1e11 else 1.0)  # milliseconds from some APIs
    else:
        stamp = _from_text(str(value).strip())
    if stamp is None or not EARLIEST <= stamp <= time.time() + 86400:
        return None
    return stamp


def _from_text(text: str) -> float | None:
    if not text:
        return None
    if text.isdigit():
        return when(int(text))
    if re.match(r"^[A-Z][a-z]{2}, \d", text):  # an HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT"
        try:
            return parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError):
            return None
    parsed = parse_date(text) or parse_date(_CLOCK.sub("", text))
    return parsed.timestamp() if parsed else None


def iso(stamp: float | None) -> str | None:
    """``2024-03-05T14:02:11Z`` for epoch seconds (None stays None)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if stamp is not None else None
