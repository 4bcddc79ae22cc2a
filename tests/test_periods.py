"""tasks/periods.py: periods and their deadline, and where the report form shows it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tasks.models import Task, Unit
from tasks.periods import period_deadline


def test_the_deadline_is_the_due_day_of_the_periods_last_month(settings):
    settings.REPORT_DUE_DAY = 25
    assert period_deadline(reporting_period="monthly", start=dt.date(2025, 6, 1)) == dt.date(2025, 6, 25)
    assert period_deadline(reporting_period="quarterly", start=dt.date(2025, 4, 1)) == dt.date(2025, 6, 25)
    settings.REPORT_DUE_DAY = 5
    assert period_deadline(reporting_period="quarterly", start=dt.date(2025, 10, 1)) == dt.date(2025, 12, 5)


def test_the_report_form_shows_the_period_and_its_deadline(seed_plans, client_as, liaison_user, pinned_clock):
    task = Task.objects.get(plan__kind="annual", number="4")  # led by 区科委, the liaison's unit
    unit = Unit.objects.get(name="区科委")
    page = client_as(liaison_user).get(reverse("tasks:report_edit", args=[task.pk, unit.pk])).content.decode()
    assert "报送周期：<strong>2025年6月</strong>" in page
    assert "报送截止：<strong data-deadline>2025年6月25日</strong>" in page
