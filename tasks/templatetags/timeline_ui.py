"""The task page's progress timeline, one <li> per report, drawn by a tag.

A template loop of about twenty nodes per report, with two forms for the office on each, was
more than half of the task page's rendering (14 of 26 ms for a task with 36 reports in view);
this draws the same markup in one pass.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from html import escape
from typing import Any

from django import forms, template
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.timezone import localtime

from ..choices import ReviewState
from ..models import ProgressReport
from ..selectors.rows import url_pattern

register = template.Library()


def _when(value: Any) -> str:
    # As the template's `|date:"Y-m-d H:i"`: in the current time zone.
    return str(date_filter(localtime(value), "Y-m-d H:i"))


class _Urls:
    def __init__(self) -> None:
        self.attachment = url_pattern("tasks:attachment")
        self.review = url_pattern("tasks:report_review")
        self.reopen = url_pattern("tasks:report_reopen")


def _lines(text: str) -> str:
    # As |linebreaksbr: escaped, line breaks as <br>.
    return normalize_newlines(escape(text)).replace("\n", "<br>")


def _texts(r: ProgressReport) -> str:
    out = []
    for label, text in (("进展", r.progress_text), ("问题", r.problems), ("下步", r.next_steps)):
        if text:
            out.append(f"\n      <p><strong>{label}：</strong>{_lines(text)}</p>")
    return "".join(out)


def _stamps(r: ProgressReport) -> str:
    if not r.reported_at:
        return ""
    by = f"（{escape(r.reported_by.get_username())}）" if r.reported_by else ""
    reviewed = ""
    if r.reviewed_at:
        reviewer = f"（{escape(r.reviewed_by.get_username())}）" if r.reviewed_by else ""
        reviewed = f"；审核于{_when(r.reviewed_at)}{reviewer}"
    return f'\n      <p class="small muted">报送于{_when(r.reported_at)}{by}{reviewed}</p>'


def _attachments(r: ProgressReport, *, previewable: Container[int], urls: _Urls) -> str:
    links = []
    for a in r.attachments.all():
        href, name = urls.attachment.format(a.pk), escape(a.original_name)
        preview = ""
        if a.pk in previewable:
            preview = (
                f'（<a href="{href}?preview=1" target="_blank" rel="noopener" data-preview>预览'
                f'<span class="visually-hidden">：{name}</span></a>）'
            )
        links.append(f'<a href="{href}">{name}</a>{preview}')
    return f'<p class="small">附件：{"、".join(links)}</p>' if links else ""


def _review_form(r: ProgressReport, form: forms.Form, *, csrf: SafeString, urls: _Urls) -> SafeString:
    return format_html(
        '\n      <form method="post" action="{}" class="review-form" data-review="{}">{}\n'
        '        {}<label for="comment-{}">审核意见</label>\n'
        '        <textarea id="comment-{}" name="comment" rows="2"></textarea>\n'
        '        <button type="submit" name="decision" value="approve">审核通过</button>\n'
        '        <button type="submit" name="decision" value="return">退回修改</button>\n'
        "      </form>",
        urls.review.format(r.pk),
        r.pk,
        csrf,
        form["version"],
        r.pk,
        r.pk,
    )


def _reopen_form(r: ProgressReport, form: forms.Form, *, csrf: SafeString, urls: _Urls) -> SafeString:
    return format_html(
        '\n      <details class="reopen" data-reopen="{}"><summary>撤回审核（退回修改）</summary>\n'
        '        <form method="post" action="{}" class="stack">{}\n'
        '          {}<label for="{}">撤回理由（作为退回意见告知{}）</label>\n'
        "          {}\n"
        '          <button type="submit">撤回审核并退回修改</button>\n'
        "        </form></details>",
        r.pk,
        urls.reopen.format(r.pk),
        csrf,
        form["version"],
        form["reason"].id_for_label,
        r.unit.name,
        form["reason"],
    )


@register.simple_tag(takes_context=True)
def report_entries(
    context: template.Context,
    reports: Sequence[ProgressReport],
    *,
    review_forms: Mapping[int, forms.Form],
    reopen_forms: Mapping[int, forms.Form],
    previewable: Container[int],
    revisable_unit_ids: Container[int],
    task_id: int,
) -> SafeString:
    """The timeline's <li>s: a returned report of a unit in `revisable_unit_ids` (those the user
    may report for) links back to that unit's report form for the task."""
    urls = _Urls()
    revise_url = url_pattern("tasks:report_edit", task_id)
    csrf = mark_safe(CsrfTokenNode().render(context))  # what {% csrf_token %} renders (safe HTML; typed str)
    out = []
    # Built with f-strings, every value from the database through `escape` (the standard
    # library's, which Django's own escape calls): format_html per part cost as much as the loop.
    for r in reports:
        unit = escape(r.unit.name)
        percent = f" · {r.percent}%" if r.percent is not None else ""
        state = (
            f'<span class="tag">{escape(r.get_review_state_display())}</span>'
            if r.review_state != ReviewState.APPROVED
            else ""
        )
        late = ' <span class="tag bad" data-late>逾期报送</span>' if r.late else ""
        comment = f"\n      <p><strong>审核意见：</strong>{escape(r.review_comment)}</p>" if r.review_comment else ""
        review = review_forms.get(r.pk)
        reopen = reopen_forms.get(r.pk)
        revise = ""
        if r.review_state == ReviewState.RETURNED and r.unit_id in revisable_unit_ids:
            revise = (
                f'\n      <p><a class="button" href="{revise_url.format(r.unit_id)}?period={r.period:%Y-%m-%d}"'
                f' data-revise="{r.pk}">修改并重新提交</a></p>'
            )
        out.append(
            f'\n    <li data-report="{r.pk}" id="report-{r.pk}"><h3>{date_filter(r.period, "Y年n月")} · {unit}'
            f" · {escape(r.get_status_display())}{percent}\n      {state}{late}</h3>{_texts(r)}{_stamps(r)}{comment}"
            f"\n      {_attachments(r, previewable=previewable, urls=urls)}"
            f"{_review_form(r, review, csrf=csrf, urls=urls) if review else ''}{revise}"
            f"{_reopen_form(r, reopen, csrf=csrf, urls=urls) if reopen else ''}\n    </li>"
        )
    return mark_safe("".join(out))
