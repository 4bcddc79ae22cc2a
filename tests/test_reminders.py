import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from tasks.models import ProgressStatus, ReviewState, Task, Unit
from tests.factories import report_make

pytestmark = pytest.mark.django_db


def test_reminders_list_missing_reports_and_lights_and_email_liaisons(seed_plans, pinned_clock, liaison_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    liaison_user.email = "keji@example.gov.cn"
    liaison_user.save()
    keji = Unit.objects.get(name="区科委")
    task = Task.objects.get(plan__kind="annual", number="4")
    report_make(
        task=task,
        unit=keji,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.BEHIND,
        percent=5,
        problems="资金未到位。",
        review_state=ReviewState.APPROVED,
    )
    out = io.StringIO()
    call_command("send_reminders", "--email", stdout=out)
    text = out.getvalue()
    keji_block = text[text.index("区科委：") :].split("\n\n")[0]
    assert "本期尚未报送进展" in keji_block
    assert "红灯（逾期或滞后）（1项）" in keji_block and "第4项" in keji_block
    sent = [m for m in mail.outbox if m.to == ["keji@example.gov.cn"]]
    assert len(sent) == 1 and "第4项" in sent[0].body and "区科委" in sent[0].body
