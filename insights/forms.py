from django import forms


class ActualForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=1990, max_value=2100)
    value = forms.DecimalField(label="实际值", max_digits=16, decimal_places=4)
