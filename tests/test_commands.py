"""The command-line entry points: import_plan, export_plan, create_demo_accounts."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tasks.models import Plan, Task
from tests.conftest import ANNUAL_2025_TXT, FIVE_YEAR_TXT

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_found_next_to_stated_and_writes():
    out, _ = run("import_plan", str(FIVE_YEAR_TXT), str(ANNUAL_2025_TXT))
    assert "任务: 74 / 74" in out
    assert "市级任务（*）: 17 / 17" in out
    assert "类别1：实施创新驱动核心战略: 11 / 11" in out
    assert "任务: 190 / 190" in out and "项目: 41 / 41" in out and "类别: 10 / 10" in out
    assert "建议：赵亮 + 杨辛" in out
    assert Task.objects.count() == 264


def test_dry_run_writes_nothing():
    out, _ = run("import_plan", "--dry-run", str(ANNUAL_2025_TXT))
    assert "试运行：未写入数据库" in out
    assert Plan.objects.count() == 0


def test_refused_file_exits_non_zero_and_other_files_still_import(tmp_path):
    bad = tmp_path / "empty.docx"
    bad.write_bytes(b"")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 个文件被拒绝"):
        call_command("import_plan", str(bad), str(FIVE_YEAR_TXT), stdout=io.StringIO(), stderr=err)
    assert "✗ empty.docx：已拒绝，未写入任何数据。文件为空。" in err.getvalue()
    assert Plan.objects.count() == 1


def test_missing_file_is_a_refusal(tmp_path):
    with pytest.raises(CommandError):
        run("import_plan", str(tmp_path / "nope.xlsx"))


def test_export_json_is_the_documented_shape(seed_plans):
    out, _ = run("export_plan", "--format", "json")
    data = json.loads(out)
    assert [p["kind"] for p in data["plans"]] == ["five_year", "annual"]
    annual = data["plans"][1]
    assert set(annual) == {"title", "kind", "year_start", "year_end", "doc_number", "tasks"}
    assert len(annual["tasks"]) == 190
    task = annual["tasks"][110]
    assert set(task) == {"number", "category", "project", "title", "text", "leaders", "units", "city_level", "status"}
    assert (task["number"], task["leaders"], task["units"]) == (
        "111",
        ["赵亮", "可晓林", "李阳"],
        ["区应急局", "虹桥商务区应急响应中心", "区交通委"],
    )
    assert task["status"] == "active"
    five = data["plans"][0]["tasks"]
    assert five[11]["units"] == ["区经委", "区科委", "区发展改革委"]  # canonical names, document order
    assert sum(t["city_level"] for t in five) == 17


def test_export_csv_needs_a_plan():
    with pytest.raises(CommandError, match="--plan"):
        run("export_plan", "--format", "csv")


def test_demo_accounts_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE=1"):
        run("create_demo_accounts")


def test_demo_accounts_created_and_printed(settings, seed_plans):
    settings.DEMO_MODE = True
    out, _ = run("create_demo_accounts")
    assert "admin" in out and "demo-admin-2025" in out
    from django.contrib.auth import get_user_model

    keji = get_user_model().objects.get(username="keji")
    assert list(keji.profile.units.values_list("name", flat=True)) == ["区科委"]
    assert get_user_model().objects.get(username="tanruicong").profile.leader.name == "谭瑞琮"
    # Each a person with a 姓名, as the pages name who reviewed, wrote or chased (accounts.names).
    assert keji.first_name == "李明" and get_user_model().objects.get(username="office").first_name == "陈静"
    assert not get_user_model().objects.filter(username__in=["admin", "anquan", "shenji", "fagai"], first_name="")
    run("create_demo_accounts")  # safe to run again
    assert get_user_model().objects.filter(username="admin").count() == 1
    # 三员分立: three administrator accounts, none of them a superuser.
    assert "仅供试用：演示账号的密码是公开的，不得用于生产环境。" in out
    assert not get_user_model().objects.filter(is_superuser=True).exists()


def test_earlier_import_is_named_in_local_time_and_the_kind_in_words():
    import datetime as dt

    from imports.models import ImportRecord

    run("import_plan", str(ANNUAL_2025_TXT))
    ImportRecord.objects.update(created_at=dt.datetime(2025, 3, 1, 1, 30, tzinfo=dt.UTC))
    out, _ = run("import_plan", "--dry-run", str(ANNUAL_2025_TXT))
    # Stored in UTC, printed in TIME_ZONE (Asia/Shanghai, 8 hours ahead) as every page shows it.
    assert f"注意：该文件与 2025-03-01 09:30 导入的“{ANNUAL_2025_TXT.name}”完全相同。" in out
    assert "规划：2025年区委、区政府重点工作任务分解表｜2025—2025｜年度重点工作｜闵委办发〔2025〕3号" in out
    assert "annual" not in out
    assert str(ImportRecord.objects.get()) == f"{ANNUAL_2025_TXT.name} (2025-03-01 09:30)"
