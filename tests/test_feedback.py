"""tasks/views/feedback.py: what a write view tells the user (every app's POST views use it)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from tasks.models import ProgressReport
from tasks.services import ReportConflict
from tasks.views.feedback import form_errors_text, write_tell


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _told(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_write_that_succeeds_says_so_and_returns_its_result():
    request = _request()
    assert write_tell(request, lambda: 3, success=lambda n: f"已处理{n}项。") == 3
    assert _told(request) == [("success", "已处理3项。")]


def test_a_refusal_is_told_in_one_line_and_nothing_is_returned():
    request = _request()

    def refuse():
        raise ValidationError(["日期不对。", "理由太长。"])

    assert write_tell(request, refuse, success=lambda _: "不该出现") is None
    assert _told(request) == [("error", "日期不对；理由太长。")]


def test_a_conflict_with_another_save_is_told_with_its_own_words():
    request = _request()
    current = ProgressReport(version=4, updated_at=timezone.make_aware(dt.datetime(2025, 6, 3, 9, 30)))

    def conflict():
        raise ReportConflict(current)

    assert write_tell(request, conflict, success=lambda _: "不该出现") is None
    [(level, text)] = _told(request)
    assert level == "error" and text.startswith("保存失败：该报告已被其他用户于2025-06-03 09:30修改（版本4）")


def test_form_errors_in_one_line():
    class Form(forms.Form):
        day = forms.DateField(label="日期", error_messages={"required": "请填写日期。"})
        reason = forms.CharField(max_length=2, error_messages={"max_length": "理由太长。"})

    form = Form({"reason": "三个字"})
    assert not form.is_valid()
    assert form_errors_text(form) == "请填写日期；理由太长。"


def test_django_generic_messages_name_their_field_and_a_forms_own_do_not():
    """ "这个字段是必填项。" alone, in the one line a page shows, does not say which box was empty."""

    class Form(forms.Form):
        reply_by = forms.DateField(label="答复期限")
        content = forms.CharField(label="催办内容", error_messages={"required": "请填写催办内容。"})
        note = forms.CharField(label="备注", max_length=3, required=False)
        unlabeled = forms.IntegerField(required=False)

    form = Form({"reply_by": "", "content": "", "note": "四个汉字", "unlabeled": "x"})
    assert not form.is_valid()
    assert form_errors_text(form) == (
        "答复期限：这个字段是必填项；请填写催办内容；备注：不能超过 3 字（现有 4 字）；输入整数。"
    )


def test_joined_messages_have_no_doubled_punctuation():
    from minhang_plans.wording import join_messages

    assert join_messages(["密码须包含小写字母、大写字母、数字、符号中的至少 3 类。", "这个密码太常见了。"]) == (
        "密码须包含小写字母、大写字母、数字、符号中的至少 3 类；这个密码太常见了。"
    )
    assert join_messages(["只有一句。"]) == "只有一句。"
    assert join_messages([]) == ""
