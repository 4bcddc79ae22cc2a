from __future__ import annotations

from django import forms

from tasks.widgets import Textarea

from .models import FinalState


class OutcomeForm(forms.Form):
    state = forms.ChoiceField(label="办结状态", choices=[("", "请选择"), *FinalState.choices], required=True)
    note = forms.CharField(label="办结说明", required=False, max_length=2000, widget=Textarea(attrs={"rows": 2}))
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CloseForm(forms.Form):
    note = forms.CharField(label="办结说明", required=False, max_length=2000, widget=Textarea(attrs={"rows": 2}))


class ContinuationForm(forms.Form):
    continuation = forms.IntegerField(label="接续任务", required=False, min_value=1)
