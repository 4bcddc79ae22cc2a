"""Which plan a document is (imports/identity.py): the district from the title, the issuing body or the 文号;
a different title of the same district and year is a new plan; another district's units and leaders are its
own. Each document is built here, small, as other governments publish them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imports import services
from imports.errors import ImportRefused
from imports.export import plan_export_csv
from imports.identity import issuer_place, same_plan_title, title_place
from imports.models import ImportRecord
from imports.pipeline import plan_import
from notifications.models import Message
from tasks.models import Leader, Plan, PlanKind, ProgressReport, Task, TaskState, Unit
from tests.test_import_documents import docx_bytes, imported, tasks_of, units_of, warning_texts

pytestmark = pytest.mark.django_db

HEADER = ["序号", "重点任务", "责任领导", "牵头单位", "配合单位", "完成时限"]
XUHUI_ROWS = [
    HEADER,
    [
        "1",
        "加快建设国际科创中心核心承载区，全年新增人工智能企业100家以上。",
        "王华",
        "区科委",
        "区商务委",
        "2025年6月底前",
    ],
    ["2", "深化“一网通办”改革，实现企业开办全程网办率达到95%。", "李明", "区政务服务办", "区人社局", "三季度"],
    ["3", "新建改建养老床位500张。", "王华", "区民政局", "", "2025年12月底前"],
]


def xuhui_docx(*, title: str = "2025年徐汇区政府工作报告重点任务分解表", paragraphs: list[str] = ()) -> bytes:
    return docx_bytes([XUHUI_ROWS], title=title, paragraphs=list(paragraphs))


CHANGZHOU_TXT = """常州市人民政府办公室文件
常政办发〔2025〕3号
关于印发2025年市政府工作报告重点工作责任分工的通知
各辖市、区人民政府，市各委办局：
现将《2025年市政府工作报告重点工作责任分工》印发给你们，请认真抓好落实。
常州市人民政府办公室
2025年2月14日
2025年市政府工作报告重点工作责任分工
一、着力发展新质生产力
1.加快新能源产业发展，新能源产业产值突破8000亿元。
牵头单位：市工信局
配合单位：市发改委
2.推进智能制造，新增省级智能工厂20家。
牵头单位：市工信局
配合单位：市科技局
"""


# -- the place a heading names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("2025年徐汇区政府工作报告重点任务分解表", "徐汇区"),
        ("闵行区2025年为民办实事项目", "闵行区"),
        ("上海市青浦区2008年重点工作", "青浦区"),
        ("2025年常州市政府工作报告重点工作责任分工", "常州市"),
        ("2025年浦东新区区委、区政府重点工作", "浦东新区"),
        ("2025年市政府工作报告重点工作责任分工", ""),
        ("2025年区委、区政府重点工作任务分解表", ""),
        ("2025年全区重点工作任务分解表", ""),
    ],
)
def test_the_title_names_the_government_even_after_the_year(title, place):
    assert title_place(title) == place


def test_the_issuing_body_names_the_government():
    assert issuer_place(["常州市人民政府办公室文件", "常政办发〔2025〕3号"]) == "常州市"
    assert issuer_place(["中共上海市闵行区委办公室"]) == "闵行区"
    assert issuer_place(["各辖市、区人民政府，市各委办局：", "漕河泾开发区管委会"]) == ""


def test_a_revision_keeps_the_plans_title_and_another_document_does_not():
    assert same_plan_title("2025年区委、区政府重点工作任务分解表", "2025年区委、区政府重点工作任务分解表（修订稿）")
    assert same_plan_title("2025年 区委、区政府重点工作任务分解表", "2025年区委、区政府重点工作任务分解表（调整）")
    assert not same_plan_title("2025年区委、区政府重点工作任务分解表", "闵行区2025年为民办实事项目")


# -- 1. another government's document is never read as this district's ------------------------------


def test_a_title_that_starts_with_the_year_still_names_the_district_and_makes_a_new_plan(seed_plans):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    report = plan_import(data=xuhui_docx(), file_name="徐汇.docx", dry_run=True)
    assert report.meta.district == "徐汇区"
    assert report.diff.plan_id is None and report.diff.withdrawn == []
    assert report.plan_note == "所属区：徐汇区（据标题）；将新建规划“2025年徐汇区政府工作报告重点任务分解表”。"
    # Confirmed: its own plan; the seeded 2025 plan keeps its 190 active tasks.
    _, plan = imported(xuhui_docx(), "徐汇.docx")
    assert plan.district == "徐汇区" and plan.pk != seeded.pk
    assert seeded.tasks.filter(state=TaskState.ACTIVE).count() == 190


def test_the_issuing_body_names_a_city_when_the_title_does_not(seed_plans):
    report, plan = imported(CHANGZHOU_TXT.encode(), "常州.txt")
    assert report.meta.district == "常州市"
    assert "所属区：常州市（据发文机关）；将新建规划“2025年市政府工作报告重点工作责任分工”。" in report.render_text()
    assert plan.district == "常州市" and report.diff.withdrawn == []
    assert Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025, district="闵行区").tasks.count() == 190


def test_a_known_districts_doc_number_names_it_when_nothing_else_does(seed_plans):
    imported(xuhui_docx(), "徐汇.docx")  # the database now knows 徐汇区
    untitled = xuhui_docx(title="2025年政府工作报告重点任务分解表", paragraphs=["徐府办发〔2025〕5号"])
    report = plan_import(data=untitled, file_name="徐汇-无区名.docx", dry_run=True)
    assert report.meta.district == "徐汇区"
    assert report.plan_note.startswith("所属区：徐汇区（据文号）；")


def test_an_unknown_governments_document_never_updates_this_districts_plan(seed_plans):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    # Same title as the seeded plan, no place anywhere, and a 文号 that is not 闵行区's.
    data = docx_bytes([XUHUI_ROWS], title=seeded.title, paragraphs=["锡府办发〔2025〕9号"])
    report = plan_import(data=data, file_name="无区名.docx", dry_run=True)
    assert report.diff.plan_id is None and report.diff.withdrawn == []
    assert (
        "无法确定本文件属于哪个区：文号“锡府办发〔2025〕9号”不是闵行区的文号，标题和发文机关也未写明所属区。"
        "本文件不会更新闵行区已有的规划（闵行区“2025年区委、区政府重点工作任务分解表”（2025年年度重点工作）），"
        "将新建规划；请在“所属区”中填写发文的区（市、县），或在“导入到”中明确选择要更新的规划。"
    ) in warning_texts(report)
    # A new plan with the very same title cannot exist: confirming is refused until the admin chooses.
    with pytest.raises(ImportRefused, match="不能再建一个同名规划"):
        plan_import(data=data, file_name="无区名.docx")
    assert seeded.tasks.filter(state=TaskState.ACTIVE).count() == 190
    # The admin's explicit choice of the plan is what updates it.
    chosen = plan_import(data=data, file_name="无区名.docx", dry_run=True, plan_choice=str(seeded.pk))
    assert chosen.diff.plan_id == seeded.pk


def test_the_preview_warns_loudly_and_names_the_plan_it_updates(client, admin_user, seed_plans):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    data = docx_bytes([XUHUI_ROWS], title=seeded.title, paragraphs=["锡府办发〔2025〕9号"])
    pending, _ = services.pending_import_create(user=admin_user, file_name="无区名.docx", data=data)
    client.force_login(admin_user)
    html = client.get(reverse("imports:preview", args=[pending.token])).content.decode()
    assert "<strong>请注意：</strong>无法确定本文件属于哪个区：文号“锡府办发〔2025〕9号”不是闵行区的文号" in html
    assert "所属区：闵行区（文件未写明，按本区）；将新建规划“2025年区委、区政府重点工作任务分解表”。" in html
    assert f'<option value="{seeded.pk}">更新已有规划：闵行区“2025年区委、区政府重点工作任务分解表”' in html


# -- 2. two documents of one district and year ------------------------------------------------------------


MINSHENG_ROWS = [
    ["序号", "工作任务", "牵头单位"],
    ["1", "新增养老床位300张。", "区民政局"],
    ["2", "新建公共充电桩500个。", "区发展改革委"],
    ["3", "改造老旧小区加装电梯100台。", "区房管局"],
]


def test_another_title_of_the_same_district_and_year_is_a_new_plan(progressed):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    before = {t.number: (t.title, t.state) for t in seeded.tasks.all()}
    reports = ProgressReport.objects.filter(task__plan=seeded).count()
    data = docx_bytes([MINSHENG_ROWS], title="闵行区2025年为民办实事项目任务分解表")
    report, plan = imported(data, "民生.docx")
    assert plan.pk != seeded.pk and plan.district == "闵行区"
    assert (report.diff.changed, report.diff.withdrawn) == ([], [])
    assert (
        "闵行区已有同类型、同年份的规划闵行区“2025年区委、区政府重点工作任务分解表”（2025年年度重点工作），"
        "与本文件“闵行区2025年为民办实事项目任务分解表”的标题或文号不同，本文件将新建规划，不会修改已有规划；"
        "如本文件是已有规划的修订稿，请在“导入到”中选择要更新的规划。"
    ) in warning_texts(report)
    assert {t.number: (t.title, t.state) for t in seeded.tasks.all()} == before
    assert ProgressReport.objects.filter(task__plan=seeded).count() == reports
    # The same 闵行区 units are this plan's too.
    assert units_of(tasks_of(plan)[1]) == ["区发展改革委"]
    assert "区发展改革委" in report.diff.matched_units
    # Importing it again updates that new plan, not the seeded one.
    again = plan_import(data=data, file_name="民生.docx", dry_run=True)
    assert again.diff.plan_id == plan.pk and again.diff.is_empty


def test_a_revision_with_revision_words_in_its_title_still_updates_the_plan(seed_plans):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    csv_text = (
        plan_export_csv(plan=seeded)
        .replace(f"标题：{seeded.title}", f"标题：{seeded.title}（修订稿）")
        .replace("地区生产总值增长5%左右。", "地区生产总值增长5.5%左右。")
    )
    report = plan_import(data=csv_text.encode(), file_name="修订.csv")
    assert report.plan_id == seeded.pk
    assert [c.number for c in report.diff.changed] == ["2"]
    assert Plan.objects.get(pk=seeded.pk).title == f"{seeded.title}（修订稿）"


def test_the_admin_may_choose_a_new_plan_or_an_existing_one(seed_plans):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    data = docx_bytes([MINSHENG_ROWS], title="闵行区2025年为民办实事项目任务分解表")
    assert plan_import(data=data, file_name="民生.docx", dry_run=True, plan_choice=str(seeded.pk)).diff.plan_id == (
        seeded.pk
    )
    csv_text = plan_export_csv(plan=seeded)
    assert (
        plan_import(data=csv_text.encode(), file_name="副本.csv", dry_run=True, plan_choice="new").diff.plan_id is None
    )
    with pytest.raises(ImportRefused, match="所选的“导入到”规划不存在"):
        plan_import(data=data, file_name="民生.docx", dry_run=True, plan_choice="999999")


def test_rolling_back_an_import_that_renamed_the_plan_restores_the_same_plan(admin_user, seed_plans):
    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    data = docx_bytes([MINSHENG_ROWS], title="闵行区2025年为民办实事项目任务分解表")
    report = plan_import(data=data, file_name="民生.docx", user=admin_user, plan_choice=str(seeded.pk))
    assert Plan.objects.get(pk=seeded.pk).title == "闵行区2025年为民办实事项目任务分解表"
    services.import_undo(user=admin_user, record=ImportRecord.objects.get(pk=report.record_id))
    restored = Plan.objects.get(pk=seeded.pk)
    assert restored.title == "2025年区委、区政府重点工作任务分解表"
    assert restored.tasks.filter(state=TaskState.ACTIVE).count() == 190
    assert Plan.objects.filter(kind=PlanKind.ANNUAL, year_start=2025).count() == 1


# -- 3. another district's units and leaders are its own --------------------------------------------------


def test_another_districts_tasks_get_its_own_units_and_leaders(admin_user, liaison_user, client, seed_plans):
    minhang_unit = Unit.objects.get(district="闵行区", name="区科委")
    pending, preview = services.pending_import_create(user=admin_user, file_name="徐汇.docx", data=xuhui_docx())
    assert "区科委" in preview.diff.new_units and preview.diff.matched_units == []
    services.pending_import_confirm(user=admin_user, pending=pending)
    plan = Plan.objects.get(district="徐汇区")
    first = tasks_of(plan)[0]
    xuhui_unit = first.unit_links.get(role="lead").unit
    assert (xuhui_unit.name, xuhui_unit.district) == ("区科委", "徐汇区") and xuhui_unit != minhang_unit
    # 闵行区's 区科委 liaison is given nothing of 徐汇区's: no 任务交办 message, no task in 我的待办.
    assert not Message.objects.filter(recipient=liaison_user).exists()
    assert not Task.objects.filter(plan=plan, unit_links__unit=minhang_unit).exists()
    client.force_login(liaison_user)
    assert "加快建设国际科创中心核心承载区" not in client.get(reverse("supervision:todo")).content.decode()


def test_one_name_in_two_districts_is_two_leaders_and_the_preview_says_what_it_matched(seed_plans):
    imported(xuhui_docx(), "徐汇.docx")
    xihu = xuhui_docx(title="2025年西湖区政府工作报告重点任务分解表")
    report = plan_import(data=xihu, file_name="西湖.docx", dry_run=True)
    assert report.diff.new_leaders == ["李明", "王华"] and report.diff.matched_units == []
    imported(xihu, "西湖.docx")
    assert sorted(Leader.objects.filter(name="王华").values_list("district", flat=True)) == ["徐汇区", "西湖区"]
    # A revision of the 徐汇区 document matches 徐汇区's own names, and says so.
    revised = plan_import(
        data=xuhui_docx(title="2025年徐汇区政府工作报告重点任务分解表（调整）"), file_name="徐汇2.docx"
    )
    assert revised.diff.plan_id == Plan.objects.get(district="徐汇区").pk
    text = revised.render_text()
    assert "已对应徐汇区已有的单位（5）：区人社局、区商务委、区政务服务办、区民政局、区科委" in text
    assert "已对应徐汇区已有的领导（2）：李明、王华" in text


def test_the_admin_chooses_the_plan_to_update_on_the_preview(client_as, admin_user, seed_plans):
    from tests.test_import_views import _form_fields, preview_url, upload

    seeded = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    client = client_as(admin_user)
    url = preview_url(
        upload(client, "民生.docx", docx_bytes([MINSHENG_ROWS], title="闵行区2025年为民办实事项目任务分解表"))
    )
    html = client.get(url).content.decode()
    assert "所属区：闵行区（据标题）；将新建规划“闵行区2025年为民办实事项目任务分解表”。" in html
    form = _form_fields(html)
    form.update(plan_choice=str(seeded.pk), action="update")
    assert client.post(url, form).status_code == 302
    html = client.get(url).content.decode()
    assert (
        "所属区：闵行区（据标题）；将更新已有规划闵行区“2025年区委、区政府重点工作任务分解表”（2025年年度重点工作），"
        "按序号对应任务。"
    ) in html
    assert "新增 0，修改 3，撤销 187" in html
    assert "已对应闵行区已有的单位（3）：区发展改革委、区房屋管理局、区民政局。" in html
