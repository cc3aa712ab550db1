"""Badges and PINs for floor mode: set through one service, hashed, checked by their own
authentication backend; who reaches floor mode only."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from prodcoord.core.badges import badge_username, floor_only, operator_badge_set, operator_badges_set
from prodcoord.core.models import OperatorBadge
from prodcoord.core.rows import RowsInvalid

pytestmark = pytest.mark.django_db


def sign_in(badge, pin):
    request = RequestFactory().post("/floor/-/sign-in/")
    return authenticate(request, username=badge_username(badge), badge=badge, pin_secret=pin)


def test_a_supervisor_gives_an_operator_a_badge_and_the_pin_is_stored_hashed(make_user):
    supervisor, operator = make_user("supervisor"), make_user("operator")
    badge = operator_badge_set(actor=supervisor, user=operator, badge="1001", pin="2468")
    stored = OperatorBadge.objects.get(pk=operator.pk)
    assert stored.badge == "1001" and "2468" not in stored.pin_hash
    assert check_password("2468", stored.pin_hash)
    assert stored.pin_set_by == supervisor and stored.pin_set_at is not None
    assert badge.pk == operator.pk


def test_the_badge_and_pin_sign_the_person_in_and_nothing_else_does(make_user):
    operator = make_user("operator")
    operator_badge_set(actor=None, user=operator, badge="B-17", pin="9753")
    assert sign_in("B-17", "9753") == operator
    assert sign_in("b-17", "9753") == operator  # badges ignore case, like every code
    assert sign_in("B-17", "9754") is None
    assert sign_in("B-18", "9753") is None
    assert sign_in("", "9753") is None
    operator.is_active = False
    operator.save()
    assert sign_in("B-17", "9753") is None


def test_a_new_pin_replaces_the_old_one_and_keeps_the_badge(make_user):
    operator = make_user("operator")
    operator_badge_set(actor=None, user=operator, badge="1001", pin="2468")
    operator_badge_set(actor=None, user=operator, pin="1357")
    assert sign_in("1001", "1357") == operator
    assert sign_in("1001", "2468") is None


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"badge": "1001"}, "pin", "Enter a PIN of 4 to 8 digits."),
        ({"pin": "2468"}, "badge", "Enter the badge number."),
        ({"badge": "1001", "pin": "12a4"}, "pin", "A PIN is 4 to 8 digits (0–9), nothing else."),
        ({"badge": "1001", "pin": "123"}, "pin", "A PIN is 4 to 8 digits (0–9), nothing else."),
        ({"badge": "1001", "pin": "123456789"}, "pin", "A PIN is 4 to 8 digits (0–9), nothing else."),
        ({"badge": "1001", "pin": "1111"}, "pin", "Choose a PIN that is not one digit repeated."),
        ({"badge": "10 01", "pin": "2468"}, "badge", "Use letters A–Z, digits, - and _ only (not spaces)."),
        ({"badge": "X" * 21, "pin": "2468"}, "badge", "At most 20 characters."),
    ],
)
def test_bad_badges_and_pins_are_refused_and_nothing_is_written(make_user, row, field, message):
    operator = make_user("operator")
    with pytest.raises(ValidationError) as refused:
        operator_badge_set(actor=None, user=operator, **row)
    assert refused.value.message_dict == {field: [message]}
    assert not OperatorBadge.objects.exists()


def test_a_badge_is_one_persons_regardless_of_case(make_user):
    first, second = make_user("operator"), make_user("operator")
    operator_badge_set(actor=None, user=first, badge="ab-1", pin="2468")
    with pytest.raises(ValidationError) as refused:
        operator_badge_set(actor=None, user=second, badge="AB-1", pin="1357")
    assert refused.value.message_dict == {"badge": ["Badge AB-1 is someone else's already."]}


def test_a_batch_is_all_or_nothing_with_row_errors(make_user):
    a, b, c = make_user("operator"), make_user("operator"), make_user("operator")
    with pytest.raises(RowsInvalid) as refused:
        operator_badges_set(
            actor=None,
            rows=[
                {"user": a, "badge": "1", "pin": "2468"},
                {"user": b, "badge": "1", "pin": "1357"},
                {"user": c, "badge": "3", "pin": "99"},
            ],
        )
    assert [(e["row"], e["field"]) for e in refused.value.as_list()] == [(1, "badge"), (2, "pin")]
    assert not OperatorBadge.objects.exists()
    done = operator_badges_set(
        actor=None, rows=[{"user": a, "badge": "1", "pin": "2468"}, {"user": b, "badge": "2", "pin": "1357"}]
    )
    assert [x.badge for x in done] == ["1", "2"]
    assert OperatorBadge.objects.count() == 2


@pytest.mark.parametrize("role", ["operator", "coordinator", "planner", "viewer"])
def test_only_supervisors_and_administrators_set_badges(make_user, role):
    operator = make_user("operator")
    with pytest.raises(PermissionDenied):
        operator_badge_set(actor=make_user(role), user=operator, badge="1001", pin="2468")
    admin = make_user(None, is_superuser=True, is_staff=True)
    operator_badge_set(actor=admin, user=operator, badge="1001", pin="2468")


def test_setbadge_command_sets_and_refuses(make_user, capsys):
    operator = make_user("operator", username="tomasz")
    call_command("setbadge", "tomasz", "--badge", "77", "--pin", "4812")
    assert "badge 77" in capsys.readouterr().out
    assert sign_in("77", "4812") == operator
    with pytest.raises(CommandError, match="pin: A PIN is 4 to 8 digits"):
        call_command("setbadge", "tomasz", "--pin", "12")
    with pytest.raises(CommandError, match="No user nobody"):
        call_command("setbadge", "nobody", "--badge", "1", "--pin", "2468")


@pytest.mark.parametrize(
    ("roles", "staff", "expected"),
    [
        (["operator"], False, True),
        (["operator", "viewer"], False, True),
        (["operator", "coordinator"], False, False),
        (["operator"], True, False),
        (["viewer"], False, False),
        (["coordinator"], False, False),
        ([], False, False),
    ],
)
def test_who_reaches_floor_mode_only(make_user, roles, staff, expected):
    from django.contrib.auth.models import Group

    user = make_user(None, is_staff=staff)
    user.groups.set([Group.objects.get(name=name) for name in roles])
    user = type(user).objects.get(pk=user.pk)
    assert floor_only(user) is expected


def test_a_badge_sign_in_is_floor_only_whatever_the_roles(make_user):
    coordinator = make_user("coordinator")
    assert floor_only(coordinator) is False
    assert floor_only(coordinator, {"prodcoord_floor": True}) is True


# --- the admin -------------------------------------------------------------------------------


def test_a_supervisor_sets_a_badge_and_pin_in_the_admin(client, make_user):
    supervisor = make_user("supervisor", is_staff=True)
    operator = make_user("operator")
    client.force_login(supervisor)
    add = "/admin/core/operatorbadge/add/"
    response = client.post(add, {"user": operator.pk, "badge": "1001", "pin": "2468", "pin_again": "2469"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"pin_again": ["The two PINs differ."]}
    response = client.post(add, {"user": operator.pk, "badge": "1001", "pin": "12", "pin_again": "12"})
    assert "A PIN is 4 to 8 digits (0–9), nothing else." in response.context["adminform"].form.errors["pin"]
    assert not OperatorBadge.objects.exists()
    response = client.post(add, {"user": operator.pk, "badge": "1001", "pin": "2468", "pin_again": "2468"})
    assert response.status_code == 302
    assert sign_in("1001", "2468") == operator
    assert OperatorBadge.objects.get().pin_set_by == supervisor
    # a new PIN later; the badge stays
    change = f"/admin/core/operatorbadge/{operator.pk}/change/"
    response = client.post(change, {"badge": "1001", "pin": "9753", "pin_again": "9753"})
    assert response.status_code == 302
    assert sign_in("1001", "9753") == operator
    assert "2468" not in client.get(change).content.decode()


def test_a_coordinator_with_admin_access_cannot_set_badges(client, make_user):
    client.force_login(make_user("coordinator", is_staff=True))
    assert client.get("/admin/core/operatorbadge/add/").status_code == 403
