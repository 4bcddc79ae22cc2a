"""What every exported file shares: the spreadsheet formula guard, local times, the
row a task becomes in the ledger and the documents, and the MIME types."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"

# Excel, WPS and LibreOffice run a cell starting with one of these as a formula (or a
# DDE command such as =cmd|' /C calc'!A0); a tab or carriage return can hide the start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"
_GUARDED_NEXT = (*FORMULA_STARTS, _GUARD)


def spreadsheet_safe(value: object) -> object:
    """A value for any exported spreadsheet cell (xlsx or csv), every exporter's one guard.

    Text that a spreadsheet would run gets a leading apostrophe, the spreadsheets' own
    "this is text" mark. Text that already starts with an apostrophe before such a
    character (or before another apostrophe) gets one more, so spreadsheet_unguard
    gives back every text exactly (the plan CSV imports back into the identical plan).
    Numbers, dates and None are not text and pass unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) or (value[:1] == _GUARD and value[1:2] in _GUARDED_NEXT):
        return _GUARD + value
    return value


def spreadsheet_unguard(text: str) -> str:
    """The inverse of spreadsheet_safe, for text read back from a file."""
    if text[:1] == _GUARD and text[1:2] in _GUARDED_NEXT:
        return text[1:]
    return text


def local_time_text(moment: dt.datetime) -> str:
    """A stored (UTC) time as people read it: local (settings.TIME_ZONE), to the minute."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def date_text(day: dt.date | None) -> str:
    """A date as the documents print it: 2025年6月30日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
