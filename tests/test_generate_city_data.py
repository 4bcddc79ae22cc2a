"""The synthetic-data generator: reproducible from its seed, in bulk, refusing to double up."""

import io

import pytest
from django.core.management import CommandError, call_command

from tasks.models import Plan, ProgressReport, Task, TaskUnit

pytestmark = pytest.mark.django_db


def generate(*args):
    out = io.StringIO()
    call_command("generate_city_data", "--scale", "0.0625", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(
            Task.objects.order_by("plan__district", "plan__year_start", "plan__kind", "position").values_list(
                "text", flat=True
            )[:50]
        ),
        Task.objects.count(),
        ProgressReport.objects.count(),
        sorted(ProgressReport.objects.values_list("status", flat=True).distinct()),
    )


def test_one_district_has_the_expected_shape_and_is_reproducible(seed_plans):
    generate("--seed", "7")
    synthetic = Plan.objects.filter(district__startswith="合成")
    assert synthetic.count() == 6  # one five-year plan and five annual plans
    assert Task.objects.filter(plan__in=synthetic).count() == 75 + 5 * 220
    first = snapshot()
    # Every lead unit of a task reports against it; all five statuses occur.
    assert set(first[3]) == {"behind", "done", "in_progress", "not_started", "ongoing"}
    assert TaskUnit.objects.filter(task__plan__in=synthetic).count() >= 1175
    # The seed plans of the real district are untouched.
    assert Plan.objects.filter(district="闵行区").count() == 2
    with pytest.raises(CommandError, match="--replace"):
        generate("--seed", "7")
    generate("--seed", "7", "--replace")
    assert snapshot() == first
    generate("--seed", "8", "--replace")
    assert snapshot()[0] != first[0]
    assert Plan.objects.filter(district="闵行区").count() == 2
