from __future__ import annotations

from typing import Any

from django import forms

from tasks.models import Leader, Role, Unit

from .audit import ACTION_LABELS

# The 审计管理员 is issued on the server (accounts.services.AUDITOR_OUT_OF_REACH): not offered here.
ROLE_CHOICES = [("", "（无角色）")] + [(role.value, role.label) for role in Role if role != Role.AUDITOR]


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES, required=False)
    units = forms.ModelMultipleChoiceField(
        label="所属单位", queryset=Unit.objects.order_by("name"), required=False, widget=forms.SelectMultiple
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES, required=False)


class LeaderForm(forms.Form):
    leader = forms.ModelChoiceField(
        label="对应区领导", queryset=Leader.objects.order_by("name"), required=False, empty_label="（不是区领导）"
    )


class UnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label="所属单位", queryset=Unit.objects.order_by("name"), required=False)


class AuditFilterForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, required=False)
    action = forms.ChoiceField(
        label="操作", choices=[("", "全部"), *sorted(ACTION_LABELS.items(), key=lambda kv: kv[0])], required=False
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data
