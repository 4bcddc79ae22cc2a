"""Files people hand on. The Excel ledger (台账) lives here; the Word documents
(督查通报, 督办单) and their PDFs live in the documents app, which reads the same rows.

Everything the other modules import from `tasks.exports` is re-exported here."""

from .cells import (
    DOCX_MIME,
    FORMULA_STARTS,
    PDF_MIME,
    XLSX_MIME,
    date_text,
    local_time_text,
    spreadsheet_safe,
    spreadsheet_unguard,
)
from .ledger import LEDGER_COLUMNS, LedgerColumn, ledger_columns, ledger_title, ledger_xlsx

__all__ = [
    "DOCX_MIME",
    "FORMULA_STARTS",
    "LEDGER_COLUMNS",
    "PDF_MIME",
    "XLSX_MIME",
    "LedgerColumn",
    "date_text",
    "ledger_columns",
    "ledger_title",
    "ledger_xlsx",
    "local_time_text",
    "spreadsheet_safe",
    "spreadsheet_unguard",
]
