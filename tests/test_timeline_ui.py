# ruff: noqa: E501 - the reference below is the template loop verbatim, long lines and all
"""The task page's timeline tag (tasks/templatetags/timeline_ui.py) draws what the template loop
it replaced drew: the loop is kept below as the reference and rendered by Django's own template
engine with the same context, for the office (review and reopen forms) and for a liaison (the
link back to a returned report), on reports with every optional part."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from tasks.models import ProgressReport, ReportAttachment, ReviewState
from tasks.services import task_status_refresh
from tests.factories import LAST_PERIOD, THIS_PERIOD, world_build

pytestmark = pytest.mark.django_db

# The loop as templates/tasks/task_detail.html had it before the tag (commit 3436de5).
REFERENCE = """{% load tasks_ui %}
    {% for r in page.reports %}
    <li data-report="{{ r.pk }}" id="report-{{ r.pk }}"><h3>{{ r.period|date:"Y年n月" }} · {{ r.unit.name }} · {{ r.get_status_display }}{% if r.percent is not None %} · {{ r.percent }}%{% endif %}
      {% if r.review_state != 'approved' %}<span class="tag">{{ r.get_review_state_display }}</span>{% endif %}{% if r.late %} <span class="tag bad" data-late>逾期报送</span>{% endif %}</h3>
      {% if r.progress_text %}<p><strong>进展：</strong>{{ r.progress_text|linebreaksbr }}</p>{% endif %}
      {% if r.problems %}<p><strong>问题：</strong>{{ r.problems|linebreaksbr }}</p>{% endif %}
      {% if r.next_steps %}<p><strong>下步：</strong>{{ r.next_steps|linebreaksbr }}</p>{% endif %}
      {% if r.reported_at %}<p class="small muted">报送于{{ r.reported_at|date:"Y-m-d H:i" }}{% if r.reported_by %}（{{ r.reported_by.get_username }}）{% endif %}{% if r.reviewed_at %}；审核于{{ r.reviewed_at|date:"Y-m-d H:i" }}{% if r.reviewed_by %}（{{ r.reviewed_by.get_username }}）{% endif %}{% endif %}</p>{% endif %}
      {% if r.review_comment %}<p><strong>审核意见：</strong>{{ r.review_comment }}</p>{% endif %}
      {% for a in r.attachments.all %}{% if forloop.first %}<p class="small">附件：{% endif %}<a href="{% url 'tasks:attachment' a.pk %}">{{ a.original_name }}</a>{% if a.pk in previewable %}（<a href="{% url 'tasks:attachment' a.pk %}?preview=1" target="_blank" rel="noopener" data-preview>预览<span class="visually-hidden">：{{ a.original_name }}</span></a>）{% endif %}{% if not forloop.last %}、{% else %}</p>{% endif %}{% endfor %}
      {% with form=review_forms|get_item:r.pk %}{% if form %}
      <form method="post" action="{% url 'tasks:report_review' r.pk %}" class="review-form" data-review="{{ r.pk }}">{% csrf_token %}
        {{ form.version }}<label for="comment-{{ r.pk }}">审核意见</label>
        <textarea id="comment-{{ r.pk }}" name="comment" rows="2"></textarea>
        <button type="submit" name="decision" value="approve">审核通过</button>
        <button type="submit" name="decision" value="return">退回修改</button>
      </form>{% endif %}{% endwith %}
      {% if r.review_state == 'returned' and r.unit_id in page.reportable_unit_ids %}<p><a class="button" href="{% url 'tasks:report_edit' task.pk r.unit_id %}?period={{ r.period|date:'Y-m-d' }}" data-revise="{{ r.pk }}">修改并重新提交</a></p>{% endif %}
      {% with reopen=reopen_forms|get_item:r.pk %}{% if reopen %}
      <details class="reopen" data-reopen="{{ r.pk }}"><summary>撤回审核（退回修改）</summary>
        <form method="post" action="{% url 'tasks:report_reopen' r.pk %}" class="stack">{% csrf_token %}
          {{ reopen.version }}<label for="{{ reopen.reason.id_for_label }}">撤回理由（作为退回意见告知{{ r.unit.name }}）</label>
          {{ reopen.reason }}
          <button type="submit">撤回审核并退回修改</button>
        </form></details>{% endif %}{% endwith %}
    </li>
    {% endfor %}
"""
TAG = """{% load timeline_ui %}
    {% report_entries page.reports review_forms=review_forms reopen_forms=reopen_forms previewable=previewable revisable_unit_ids=page.reportable_unit_ids task_id=task.pk %}
"""


def _normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "name=csrfmiddlewaretoken", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _context(user, task_id: int, monkeypatch):
    """The task page's context as its view builds it, and the request it rendered."""
    import tasks.views.task as view

    request = RequestFactory().get(f"/tasks/{task_id}/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    seen = {}
    original = view.render

    def keep(request, template_name, context):
        seen["context"] = context
        return original(request, template_name, context)

    monkeypatch.setattr(view, "render", keep)
    assert view.task_detail(request, task_id=task_id).status_code == 200
    return seen["context"], request


@pytest.fixture
def world(pinned_clock, settings, tmp_path, office_user, liaison_user):
    settings.MEDIA_ROOT = tmp_path
    w = world_build()
    task, unit = w.tasks["零号湾"], w.units["科委"]
    now = timezone.now()
    mine = {"task": task, "unit": unit, "reported_by": liaison_user, "reported_at": now, "version": 1}
    ProgressReport.objects.filter(task=task).delete()
    returned = ProgressReport.objects.create(
        **mine,
        period=THIS_PERIOD,
        status="in_progress",
        percent=40,
        progress_text="完成载体选址。\n推进改造<设计>。\r\n报告\r附后。",
        problems="资金未到位。",
        next_steps="启动招标。",
        review_state=ReviewState.RETURNED,
        review_comment="请补充 <数据> & 佐证。",
        reviewed_by=office_user,
        reviewed_at=now,
        late=True,
    )
    approved = ProgressReport.objects.create(
        **{**mine, "unit": w.units["发改"], "reported_by": None},
        period=THIS_PERIOD,
        status="behind",
        percent=55,
        review_state=ReviewState.APPROVED,
        reviewed_at=now,
    )
    ProgressReport.objects.create(
        **mine, period=LAST_PERIOD, status="in_progress", percent=20, review_state=ReviewState.SUBMITTED
    )
    ProgressReport.objects.create(
        task=task, unit=unit, period=THIS_PERIOD - dt.timedelta(days=60), status="not_started", percent=0, version=1
    )
    for report, name in ((returned, "现场照片.png"), (returned, "说明 & 附表.docx"), (approved, "批复.pdf")):
        ReportAttachment.objects.create(
            report=report, file="x.bin", original_name=name, size=1, uploaded_by=liaison_user
        )
    task_status_refresh(task_ids=[task.pk])
    return w


@pytest.mark.parametrize("persona", ["office_user", "liaison_user"])
def test_the_tag_draws_what_the_template_loop_drew(world, persona, request, monkeypatch):
    context, http_request = _context(request.getfixturevalue(persona), world.tasks["零号湾"].pk, monkeypatch)
    engine = engines["django"]
    expected = _normalised(engine.from_string(REFERENCE).render(context, request=http_request))
    drawn = _normalised(engine.from_string(TAG).render(context, request=http_request))
    assert drawn == expected
    # The comparison saw every optional part (it would pass trivially on an empty timeline).
    assert drawn.count("<li data-report=") == 4
    for part in ("data-late", "data-preview", "<br>", "&lt;设计&gt;", "请补充 &lt;数据&gt; &amp; 佐证。", "附件："):
        assert part in drawn, part
    if persona == "office_user":
        # Two reports await review (one has no review state set: submitted by default), one is approved.
        assert drawn.count("data-reopen=") == 1 and drawn.count("data-review=") == 2
        assert drawn.count("name=csrfmiddlewaretoken") == 3
    else:
        assert "data-revise=" in drawn and "data-reopen=" not in drawn


def test_the_task_page_shows_the_timeline_through_the_tag(world, client_as, office_user):
    html = client_as(office_user).get(f"/tasks/{world.tasks['零号湾'].pk}/").content.decode()
    assert html.count('<li data-report="') == 4
    assert "撤回理由（作为退回意见告知区发展改革委）" in html
