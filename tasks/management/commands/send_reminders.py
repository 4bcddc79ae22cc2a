"""Reminders for cron: per unit, the reports missing this period and the tasks now yellow or red.

python manage.py send_reminders            # print
python manage.py send_reminders --email    # also e-mail each unit's liaisons (Django's mail settings)
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand

from tasks.selectors.reminders import UnitReminder, reminder_list


def _message(unit: UnitReminder) -> str:
    lines = [f"{unit.unit}："]
    for key, heading in (
        ("missing", "本期尚未报送进展"),
        ("red", "红灯（逾期或滞后）"),
        ("yellow", "黄灯（临近截止或进度偏慢）"),
    ):
        tasks = getattr(unit, key)
        if tasks:
            lines.append(f"  {heading}（{len(tasks)}项）：")
            lines.extend(f"    - {t.plan_title} 第{t.number}项 {t.title}" for t in tasks)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "列出各单位本期未报送的进展和转为黄灯、红灯的任务；--email 时发邮件给各单位联络员。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", action="store_true", help="通过 Django 邮件设置发送给各单位联络员")

    def handle(self, *args, **options) -> None:
        units = reminder_list()
        if not units:
            self.stdout.write("各单位均已报送，没有黄灯或红灯任务。")
            return
        mails = []
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        for unit in units:
            body = _message(unit)
            self.stdout.write(body)
            if options["email"]:
                recipients = list(users.filter(profile__units=unit.unit_id).values_list("email", flat=True))
                if recipients:
                    mails.append(("【任务跟踪】本期进展报送提醒", body, settings.REMINDER_FROM_EMAIL, recipients))
        if options["email"]:
            sent = send_mass_mail(mails, fail_silently=False)
            self.stdout.write(f"已发送 {sent} 封提醒邮件。")
