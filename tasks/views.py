from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list_with_counts()
    return render(request, "tasks/dashboard.html", {"plans": plans})
