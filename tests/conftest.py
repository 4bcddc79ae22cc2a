"""Shared fixtures: the database in use, personas, the seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIVE_YEAR_TXT = FIXTURES / "000_a62ce10d14304788.txt"
ANNUAL_2025_TXT = FIXTURES / "004_81e3937e704ee9fc.txt"


def _database_label() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"PostgreSQL at {db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
    return "SQLite (embedded)"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {_database_label()}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    terminalreporter.write_line(f"Tests ran on: {_database_label()}")


@pytest.fixture(autouse=True)
def _plain_http(settings) -> None:  # noqa: ANN001
    # Production redirects to HTTPS; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
