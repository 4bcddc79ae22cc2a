"""tasks/milestones.py and the milestone part of the status rule: 阶段目标 set on the task's panel,
met in a report, and a missed one making the task 进度偏慢 (yellow) until an approved report meets it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tasks.models import Milestone, ProgressStatus, ReviewState, Role, Task
from tasks.services import report_approve, task_status_refresh
from tasks.status.clock import Clock
from tests.factories import THIS_PERIOD, report_make, world_build
from tests.test_supervision_views import _Forms, form_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(pinned_clock):
    return world_build()


def _light(task: Task) -> str:
    return Task.objects.with_status_shown(Clock.now()).get(pk=task.pk).light


def _messages(html: str) -> str:
    return " ".join(re.findall(r'<p class="message [^"]*" role="status">(.*?)</p>', html, flags=re.S))


def _post_rendered(client, form: dict, **values) -> str:
    data = {k: v for k, v in form["fields"].items() if v is not None} | values
    return client.post(form["attrs"]["action"], data, follow=True).content.decode()


def test_a_missed_milestone_makes_the_task_yellow_until_an_approved_report_meets_it(world, client_as, office_user):
    task = world.tasks["研发"]  # due 2025-12-31, led by 区科委 (approved this period) and 区城投
    report_make(
        task=task, unit=world.units["城投"], period=THIS_PERIOD, status=ProgressStatus.IN_PROGRESS, percent=40,
        review_state=ReviewState.APPROVED,
    )  # fmt: skip
    assert _light(task) == "green"
    office = client_as(office_user)
    panel = office.get(reverse("supervision:task_panel", args=[task.pk])).content.decode()
    assert "未设定阶段目标。" in panel
    form = form_on(panel, "data-milestone-form")
    assert form["types"]["due_date"] == "date"

    html = _post_rendered(office, form, due_date="2026-01-15", target="完成统计口径核定")
    assert "阶段目标的完成日期不能晚于任务的截止日期（2025-12-31）。" in _messages(html)
    html = _post_rendered(office, form, due_date="2025-05-31", target="")
    assert "请填写阶段目标。" in _messages(html)
    assert not Milestone.objects.exists()

    html = _post_rendered(office, form, due_date="2025-05-31", target="完成年度统计口径核定")
    assert "已设定阶段目标：2025-05-31 完成年度统计口径核定" in _messages(html)
    milestone = Milestone.objects.get()
    assert _light(task) == "yellow"  # due before today (2025-06-15) and not met
    panel = office.get(reverse("supervision:task_panel", args=[task.pk])).content.decode()
    assert f'data-milestone="{milestone.pk}"' in panel and "已到期未完成" in panel

    # 区城投's report states it met: counted once approved.
    url = reverse("tasks:report_edit", args=[task.pk, world.units["城投"].pk])
    page = office.get(url).content.decode()
    parser = _Forms()
    parser.feed(page)
    report_form = next(f for f in parser.forms if f["attrs"].get("enctype") == "multipart/form-data")
    assert "data-report-milestones" in page and "2025-05-31 完成年度统计口径核定" in page
    data = {k: v for k, v in report_form["fields"].items() if v is not None and k != "milestones_met"}
    data |= {
        "milestones_met": [str(milestone.pk)],
        "action": "submit",
        "problems": "无",
        "progress_text": "口径已核定。",
    }
    response = office.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report = task.reports.get(unit=world.units["城投"], period=THIS_PERIOD)
    assert list(report.milestones_met.all()) == [milestone]
    assert _light(task) == "yellow"  # submitted, not yet approved
    report_approve(user=office_user, report=report, version=report.version)
    assert _light(task) == "green"
    panel = office.get(reverse("supervision:task_panel", args=[task.pk])).content.decode()
    assert "data-met>已完成" in panel

    # A met milestone stays: removing it is refused.
    assert f'action="{reverse("tasks:milestone_remove", args=[milestone.pk])}"' not in panel  # no 删除 once met
    response = office.post(reverse("tasks:milestone_remove", args=[milestone.pk]), follow=True)
    assert "该阶段目标已由审核通过的报告确认完成，不能删除。" in _messages(response.content.decode())
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_forged_milestone_id_in_a_report_is_refused_and_nothing_is_kept(world, client_as, office_user):
    task, other = world.tasks["研发"], world.tasks["服务包"]
    Milestone.objects.create(task=task, due_date=THIS_PERIOD, target="本任务的")
    foreign = Milestone.objects.create(task=other, due_date=THIS_PERIOD, target="别的任务的")
    task_status_refresh(task_ids=[task.pk, other.pk])  # created directly: the services refresh
    url = reverse("tasks:report_edit", args=[task.pk, world.units["城投"].pk])
    data = {
        "status": ProgressStatus.IN_PROGRESS, "percent": "30", "progress_text": "推进中。", "problems": "无",
        "next_steps": "", "milestones_met": [str(foreign.pk)], "action": "submit", "version": "",
    }  # fmt: skip
    response = client_as(office_user).post(url, data)
    assert response.status_code == 400
    assert not task.reports.filter(unit=world.units["城投"]).exists()


def test_who_may_set_milestones(world, client_as, liaison_user, leader_user, user_make):
    task = world.tasks["研发"]  # 区科委 leads: its liaison may
    url = reverse("tasks:milestone_add", args=[task.pk])
    data = {"due_date": "2025-09-30", "target": "三季度目标"}
    assert client_as(leader_user).post(url, data).status_code == 403
    assert client_as(user_make("jingwei", Role.LIAISON, units=["区经委"])).post(url, data).status_code == 403
    assert not Milestone.objects.exists()
    assert client_as(liaison_user).post(url, data).status_code == 302
    assert Milestone.objects.get().target == "三季度目标"
