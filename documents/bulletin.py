"""Rendering the 督查通报 from a Word template with docxtpl, and checking a template.

Safety: the template's placeholders run in Jinja's sandbox, with autoescaping (a task's
text is XML-escaped, so "<", "&" stay characters) and with StrictUndefined (a misspelt
placeholder is an error at upload, not a silent blank). Values are plain strings and
numbers, so text such as "{{ 1+1 }}" or "{% for %}" in a task is printed as it is: Jinja
renders a template once and never evaluates what a value contains. Control characters
that would become page breaks or new paragraphs in docxtpl are removed from values, and
characters XML cannot hold are dropped."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from tasks.exports import date_text
from tasks.selectors.exports import ExportRow

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
TEMPLATE_MAX_UNPACKED = 60 * 1024 * 1024  # a zip bomb is refused before anything is unpacked
EXAMPLES = 3  # red tasks named in the body
TITLE_CHARS_PER_LINE = 20  # 2号小标宋 in the 156 mm text block (gbt9704.TITLE_CHARS_PER_LINE)
DONE_LISTED = 10  # completed tasks listed in the body
SILENT_NAMED = 15  # silent units named in the body


class TemplateRefused(ValueError):
    """A template that cannot be used; the message says why and where, in Chinese."""


@dataclass
class CategoryFigures:
    name: str
    total: int = 0
    done: int = 0
    lights: dict[str, int] = field(default_factory=lambda: {"red": 0, "yellow": 0, "green": 0, "grey": 0})


@dataclass
class SilentUnit:
    name: str
    numbers: list[str]  # task numbers (as printed) the unit has not reported on
    # The numbers as the annex prints them when they come from more than one plan, each plan named
    # ("2025年…分解表：1、2；…“十四五”…：45"); numbers alone repeat across plans.
    listed: str = ""


@dataclass
class BulletinData:
    """Everything a bulletin says, gathered by documents.selectors.bulletin_data."""

    title: str
    scope_label: str
    period_label: str
    as_of: dt.date
    issued: dt.date
    reply_by: dt.date
    rows: list[ExportRow]
    status_counts: list[tuple[str, int]]  # (status label, tasks), in the status home's order
    light_counts: list[tuple[str, str, int]]  # (light, label, tasks)
    done_label: str  # the status home's label for done (已完成)
    silent_tasks: int
    silent_units: list[SilentUnit]
    group_label: str  # 类别, or 规划 when the scope spans plans
    groups: list[CategoryFigures]
    # A plan's frozen 考评 ranking of the period (assessment), the optional annex 4: (类型, 排名, 单位, 得分, 较上期).
    rankings: list[tuple[str, int, str, str, str]] = field(default_factory=list)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    """A value as the document may hold it: newlines stay (docxtpl turns them into line breaks);
    tabs and carriage returns become spaces; other control characters (which docxtpl would turn
    into page breaks or paragraphs, or which XML cannot hold) are dropped."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _XML_UNSAFE.sub("", value)


def _counted(items: list[tuple[str, int]]) -> str:
    return "、".join(f"{label}{n}项" for label, n in items if n) or "无"


def plan_short(title: str) -> str:
    """A plan's short form for citing its task numbers: the district's name, the issuers and the
    table's name dropped ("闵行区“十四五”规划重点任务责任分解表" → "“十四五”规划重点任务",
    "2025年区委、区政府重点工作任务分解表" → "2025年重点工作任务")."""
    from django.conf import settings

    short = title.strip()
    district = getattr(settings, "DISTRICT_NAME", "")
    if district and short.startswith(district):
        short = short[len(district) :]
    for issuers in ("区委、区政府", "区委区政府", "区政府"):
        short = short.replace(issuers, "")
    for suffix in ("责任分解表", "分解表", "任务表", "清单"):
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)]
            break
    return short or title


def cited(row: ExportRow, *, many_plans: bool) -> str:
    """How the documents cite a task: "第31项", and "“十四五”规划重点任务第31项" when the
    document covers several plans (the numbers repeat across plans)."""
    return f"{plan_short(row.plan)}第{row.number}项" if many_plans else f"第{row.number}项"


def _width(text: str) -> float:
    """Characters as printed: Arabic numerals and Latin letters take half a character."""
    return sum(0.5 if ord(char) < 0x2E80 and char not in "“”‘’—…" else 1 for char in text)


def title_lines(title: str, width: int = 20) -> str:
    """The title broken into lines (7.3.1: 回行时词意完整, 排列对称): a title longer than a line
    is broken before "推进情况的通报" (or, failing that, after "的", "、" or before "牵头"; then
    after "”" or before "重点", "责任"), at
    the point that keeps each line within `width` characters and the lines most even. Lines
    joined by "\n" (a line break in the document)."""
    if _width(title) <= width:
        return title
    preferred = [i for i in range(1, len(title)) if title.startswith("推进情况的通报", i)]
    joints = [i for i in range(1, len(title)) if title[i - 1] in "的、" or title.startswith("牵头", i)]
    words = [
        i for i in range(1, len(title)) if title[i - 1] == "”" or any(title.startswith(w, i) for w in ("重点", "责任"))
    ]
    for candidates in (preferred, joints, words):
        fitting = [i for i in candidates if _width(title[:i]) <= width and _width(title[i:]) <= width]
        if fitting:
            at = min(fitting, key=lambda i: abs(_width(title[:i]) - _width(title[i:])))
            return title[:at] + "\n" + title[at:]
    # No sensible point fits: the first line as long as it may be, then the rest.
    at = max(i for i in range(1, len(title)) if _width(title[:i]) <= width)
    return title[:at] + "\n" + title_lines(title[at:], width)


def _task_rows(rows: list[ExportRow], *, many_plans: bool) -> list[dict[str, str]]:
    out = []
    for index, row in enumerate(rows, start=1):
        name = row.title or row.text
        out.append(
            {
                "序号": str(index),
                "任务": clean(f"{cited(row, many_plans=many_plans)}：{name}"),
                "牵头单位": clean(row.units),
                "截止日期": date_text(row.due_date) if row.due_date else "未设定",
                "状态": clean(row.status),
                "存在问题": clean(row.problems) or "—",
            }
        )
    return out


def bulletin_context(data: BulletinData, *, number: str, year: int) -> dict[str, object]:
    """The placeholders' values (plain strings, numbers, lists of dicts of strings)."""
    rows = data.rows
    many_plans = len({row.plan for row in rows}) > 1
    lights = {light: n for light, _, n in data.light_counts}
    red = [row for row in rows if row.light == "red"]
    yellow = [row for row in rows if row.light == "yellow"]
    done = [row for row in rows if row.status == data.done_label]
    total = len(rows)
    examples = "、".join(
        f"{cited(row, many_plans=many_plans)}“{row.title or row.text}”（{row.units or '未明确牵头单位'}，{row.status}）"
        for row in red[:EXAMPLES]
    )
    # The annexes that have rows, numbered in order (an empty one is neither listed nor attached).
    annexes = [
        (key, name)
        for key, name, rows_of in (
            ("红灯", "红灯任务清单", red),
            ("黄灯", "黄灯任务清单", yellow),
            ("未报送", "本期未报送进展的单位", data.silent_units),
            ("考评", "各单位考评排名", data.rankings),
        )
        if rows_of
    ]
    numbers = {key: "" for key in ("红灯", "黄灯", "未报送", "考评")}
    numbers.update({key: str(index) for index, (key, _) in enumerate(annexes, start=1)})
    names = [unit.name for unit in data.silent_units]
    named = "、".join(names[:SILENT_NAMED]) + (f"等{len(names)}家" if len(names) > SILENT_NAMED else "")
    return {
        "期号": number,
        "年度": str(year),
        "印发日期": date_text(data.issued),
        "标题": clean(title_lines(data.title, TITLE_CHARS_PER_LINE)),
        "范围": clean(data.scope_label),
        "统计周期": data.period_label,
        "截至日期": date_text(data.as_of),
        "任务总数": total,
        "状态分布": clean(_counted(data.status_counts)),
        "预警分布": clean(
            "、".join(
                f"{ {'red': '红灯', 'yellow': '黄灯', 'green': '绿灯', 'grey': '灰灯'}[light] }（{label}）{n}项"
                for light, label, n in data.light_counts
            )
        ),
        "已完成数": len(done),
        "完成率": f"{round(len(done) * 100 / total) if total else 0}%",
        "红灯数": lights.get("red", 0),
        "黄灯数": lights.get("yellow", 0),
        "绿灯数": lights.get("green", 0),
        "灰灯数": lights.get("grey", 0),
        "未报送任务数": data.silent_tasks,
        "未报送单位数": len(data.silent_units),
        "未报送单位名单": clean(named),
        "红灯举例": clean(examples),
        "回复期限": date_text(data.reply_by),
        "分类名称": data.group_label,
        "分类": [
            {
                "名称": clean(group.name),
                "任务数": group.total,
                "已完成": group.done,
                "红灯": group.lights["red"],
                "黄灯": group.lights["yellow"],
                "绿灯": group.lights["green"],
                "灰灯": group.lights["grey"],
            }
            for group in data.groups
        ],
        "已完成任务": [
            {
                # The plan's short form before "第N项" when the bulletin covers several plans.
                "规划": clean(plan_short(row.plan)) if many_plans else "",
                "编号": clean(row.number),
                "简称": clean(row.title or row.text),
            }
            for row in done[:DONE_LISTED]
        ],
        "已完成其余": f"另有{len(done) - DONE_LISTED}项已完成，详见任务台账。" if len(done) > DONE_LISTED else "",
        "红灯任务": _task_rows(red, many_plans=many_plans),
        "黄灯任务": _task_rows(yellow, many_plans=many_plans),
        "未报送单位": [
            {
                "序号": str(index),
                "单位": clean(unit.name),
                "任务数": len(unit.numbers),
                "涉及任务": clean(unit.listed or "、".join(unit.numbers)),
            }
            for index, unit in enumerate(data.silent_units, start=1)
        ],
        "附件": [{"序号": str(index), "名称": name} for index, (_, name) in enumerate(annexes, start=1)],
        "附件号": numbers,
        "考评排名": [
            {"类型": clean(kind), "排名": str(rank), "单位": clean(unit), "得分": total, "较上期": change}
            for kind, rank, unit, total, change in data.rankings
        ],
    }


def groups_from_rows(rows: list[ExportRow], *, by_plan: bool, done_label: str) -> list[CategoryFigures]:
    """Figures per category (or per plan), in document order."""
    groups: OrderedDict[tuple[str, str], CategoryFigures] = OrderedDict()
    for row in rows:
        key = (row.plan, "") if by_plan else (row.plan, row.category)
        group = groups.get(key)
        if group is None:
            group = groups[key] = CategoryFigures(name=row.plan if by_plan else row.category)
        group.total += 1
        group.done += row.status == done_label
        group.lights[row.light] = group.lights.get(row.light, 0) + 1
    return list(groups.values())


def _environment() -> SandboxedEnvironment:
    # The sandbox: an uploaded template cannot reach Python internals (no __class__, no calls
    # on unsafe attributes); StrictUndefined: an unknown placeholder is an error, not a blank.
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def render(*, template: bytes, context: dict[str, object]) -> bytes:
    """The rendered .docx. Raises jinja2's TemplateError for a template that cannot render."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(io.BytesIO(template))
    document.render(context, jinja_env=_environment(), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- checking an uploaded template ------------------------------------------------------------

_MESSAGES = [
    (re.compile(r"unexpected '\}'"), "多了一个“}”，或“{{”“}}”不成对"),
    (re.compile(r"unexpected '%'"), "多了一个“%”，或“{%”“%}”不成对"),
    (
        re.compile(r"Encountered unknown tag '(\w+)'"),
        "无法识别的标签“{0}”（如 endfor、endif 拼写有误，或缺少对应的 for/if）",
    ),
    (re.compile(r"[Uu]nexpected end of template"), "模板提前结束：有 for 或 if 没有对应的 endfor 或 endif"),
    (re.compile(r"unexpected end of print statement|expected token"), "占位符的写法有误"),
    (re.compile(r"unexpected char '(.)'"), "占位符中有无法识别的字符“{0}”"),
]


def _reason(message: str) -> str:
    for pattern, text in _MESSAGES:
        found = pattern.search(message)
        if found:
            # Not str.format: the messages themselves contain braces.
            return text.replace("{0}", found.group(1)) if found.groups() else text
    return "占位符或标签的写法有误"


def _part_name(part: object) -> str:
    name = getattr(part, "partname", "") or ""
    if "header" in name:
        return "页眉中"
    if "footer" in name:
        return "页脚中"
    return ""


def _around(text: str, needle: str | None = None, width: int = 40) -> str:
    text = " ".join(text.split())
    if needle and needle in text:
        at = text.index(needle)
        start = max(0, at - width // 2)
        text = text[start : start + width + len(needle)]
    elif len(text) > width * 2:
        text = text[: width * 2] + "……"
    return text


def _paragraph_texts(template: bytes) -> list[str]:
    """The text of every paragraph of the template's body in document order (tables included),
    the order docxtpl numbers its lines in (one paragraph per line)."""
    from docx import Document

    body = Document(io.BytesIO(template)).element.body
    texts = []
    for paragraph in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        texts.append("".join(node.text or "" for node in paragraph.iter() if node.tag.endswith("}t")))
    return texts


def template_error_text(error: TemplateError, template: bytes, part: object) -> str:
    where = _part_name(part)
    if isinstance(error, TemplateSyntaxError):
        reason = _reason(error.message or "")
        context = [strip_tags(line).strip() for line in getattr(error, "docx_context", []) or []]
        paragraph = error.lineno - 1 if error.lineno else None  # docxtpl: line 1 is before the first paragraph
        near = ""
        if not where and paragraph:
            texts = _paragraph_texts(template)
            if 0 < paragraph <= len(texts):
                near = texts[paragraph - 1]
        if not near:
            # The lines docxtpl quotes around the error (tags removed), the middle one first.
            middle = context[3:4] + context if len(context) > 3 else context
            near = next((line for line in middle if line), "")
        place = f"{where}第{paragraph}段" if paragraph and not where else (where or "模板中")
        return f"模板无法使用：{place}{reason}。出错处的文字：「{_around(near)}」。"
    if isinstance(error, UndefinedError):
        found = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", error.message or "")
        name = next((g for g in (found.groups() if found else ()) if g), "")
        near = ""
        for number, text in enumerate(_paragraph_texts(template), start=1):
            if name and name in text:
                near = f"第{number}段「{_around(text, name)}」"
                break
        place = f"{where}{near}" if near else (where or "模板中")
        return f"模板无法使用：{place}使用了系统不提供的占位符“{name}”。可用的占位符见本页下方的说明。"
    if isinstance(error, SecurityError):
        return f"模板无法使用：{where or '模板中'}有不允许的写法（只能使用本页列出的占位符和 for、if 标签）。"
    return f"模板无法使用：{where or '模板中'}{_reason(str(error))}。"


def template_check(*, template: bytes, context: dict[str, object]) -> bytes:
    """Refuse (TemplateRefused, in Chinese, naming the place) what cannot serve as the bulletin
    template; return the rendering of the sample context when it can."""
    from docx import Document
    from docxtpl import DocxTemplate

    if len(template) > TEMPLATE_MAX_BYTES:
        raise TemplateRefused(f"模板文件过大（不能超过 {TEMPLATE_MAX_BYTES // 1024 // 1024} MB）。")
    try:
        with zipfile.ZipFile(io.BytesIO(template)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TemplateRefused("不是 Word 文档（.docx）。请在 Word 或 WPS 中“另存为”.docx 格式后再上传。") from None
    if "word/document.xml" not in names:
        raise TemplateRefused("不是 Word 文档（.docx）：文件中没有正文。") from None
    if unpacked > TEMPLATE_MAX_UNPACKED:
        raise TemplateRefused("模板文件解压后过大，无法使用。")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise TemplateRefused("模板中含有宏，不能使用。请另存为不含宏的 .docx 文件后再上传。")
    try:
        document = DocxTemplate(io.BytesIO(template))
        document.init_docx()
    except Exception:
        raise TemplateRefused("Word 文档已损坏，无法打开。") from None
    try:
        document.render(context, jinja_env=_environment(), autoescape=True)
    except TemplateError as error:
        raise TemplateRefused(
            template_error_text(error, template, getattr(document, "current_rendering_part", None))
        ) from None
    out = io.BytesIO()
    document.save(out)
    try:
        Document(io.BytesIO(out.getvalue()))
    except Exception:
        raise TemplateRefused("模板填入数据后不是有效的 Word 文档（标签可能拆开了表格或段落的结构）。") from None
    return out.getvalue()


def sample_data(*, today: dt.date) -> BulletinData:
    """Data of every kind the template must handle, for checking an upload (labels from the status home)."""
    from tasks.choices import CurrentStatus, Light

    def row(number: str, light: str, status: str) -> ExportRow:
        return ExportRow(
            plan="示例规划",
            category="一、示例类别",
            project="",
            number=number,
            text=f"示例任务{number}",
            title=f"示例任务{number}",
            leaders="示例领导",
            units="示例单位",
            status=status,
            light=light,
            light_label="",
            percent=50,
            problems="示例问题",
            due_date=today,
        )

    done = CurrentStatus.DONE.label
    rows = [
        row("1", Light.RED, CurrentStatus.BEHIND.label),
        row("2", Light.YELLOW, CurrentStatus.IN_PROGRESS.label),
        row("3", Light.GREEN, done),
    ]
    counts = {Light.RED: 1, Light.YELLOW: 1, Light.GREEN: 1, Light.GREY: 0}
    return BulletinData(
        title="示例通报",
        scope_label="示例范围",
        period_label=f"{today.year}年{today.month}月",
        as_of=today,
        issued=today,
        reply_by=today,
        rows=rows,
        status_counts=[(r.status, 1) for r in rows],
        light_counts=[(light.value, light.label, counts[light]) for light in Light],
        done_label=done,
        silent_tasks=1,
        silent_units=[SilentUnit(name="示例单位", numbers=["1"])],
        group_label="类别",
        groups=groups_from_rows(rows, by_plan=False, done_label=done),
        rankings=[("区级部门", 1, "示例单位", "98.00", "+1.00")],
    )
