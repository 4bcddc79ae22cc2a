"""accounts/backends.py: the local sign-in backend reads the account and its role in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import ModelBackend
from tasks.choices import Role
from tasks.permissions import user_role


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("office_user", Role.OFFICE),
        ("liaison_user", Role.LIAISON),
        ("leader_user", Role.LEADER),
        ("admin_user", Role.ADMIN),
        ("outsider_user", None),
    ],
)
def test_the_account_comes_with_its_role_in_one_query(request, persona, role):
    account = request.getfixturevalue(persona)
    with CaptureQueriesContext(connection) as captured:
        user = ModelBackend().get_user(account.pk)
        assert user is not None and user.pk == account.pk
        assert user_role(user) == role
    assert len(captured) == 1


def test_a_liaisons_units_come_with_the_account(liaison_user, user_make, office_user):
    from tasks.models import Unit
    from tasks.permissions import user_unit_ids

    two = user_make("two-units", Role.LIAISON, units=["区科委", "区财政局"])
    for account, names in ((liaison_user, {"区科委"}), (two, {"区科委", "区财政局"}), (office_user, set())):
        user = ModelBackend().get_user(account.pk)
        with CaptureQueriesContext(connection) as captured:
            ids = user_unit_ids(user)
        assert ids == set(Unit.objects.filter(name__in=names).values_list("pk", flat=True)) and len(captured) == 0


def test_the_role_of_two_groups_is_the_first_in_the_roles_order(office_user):
    office_user.groups.add(Group.objects.get(name=Role.LIAISON))
    assert user_role(ModelBackend().get_user(office_user.pk)) == Role.OFFICE


def test_no_account_an_inactive_one_or_a_bad_id_is_no_user(office_user):
    assert ModelBackend().get_user(office_user.pk + 1000) is None
    assert ModelBackend().get_user("not a number") is None
    office_user.is_active = False
    office_user.save()
    assert ModelBackend().get_user(office_user.pk) is None


def test_a_signed_in_page_asks_no_separate_role_query_and_a_role_taken_away_counts_at_once(
    client_as, office_user, seed_plans
):
    client = client_as(office_user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("tasks:dashboard")).status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith('SELECT "auth_group"')]
    office_user.groups.clear()  # the security administrator takes the role away
    assert client.get(reverse("tasks:dashboard")).status_code == 403
