"""The roster: kept in the admin (through its service, recorded as an event), shown on the person's settings."""

import datetime as dt

import pytest

from coordination.models import RosterEntry
from prodcoord.events.models import Event

pytestmark = pytest.mark.django_db


def test_an_administrator_puts_a_person_on_a_shift_and_takes_them_off(client, make_user, form_dept, shifts):
    admin = make_user(is_superuser=True, is_staff=True)
    person = make_user("coordinator", username="nina")
    client.force_login(admin)
    night = next(s for s in shifts if s.code == "NIGHT")
    response = client.post(
        "/admin/coordination/rosterentry/add/", {"user": person.pk, "department": form_dept.pk, "shift": night.pk}
    )
    assert response.status_code == 302, response.content[:2000]
    entry = RosterEntry.objects.get(user=person)
    assert (entry.department, entry.shift) == (form_dept, night)
    assert Event.objects.filter(verb="roster.set").count() == 1

    client.force_login(person)
    settings_page = client.get("/notifications/settings/").content.decode()
    assert "Rostered on <strong>FORM</strong>" in settings_page and "<strong>Night</strong>, 22:00–06:00." in settings_page

    client.force_login(admin)
    client.post(f"/admin/coordination/rosterentry/{person.pk}/delete/", {"post": "yes"})
    assert not RosterEntry.objects.exists()
    assert Event.objects.filter(verb="roster.set").count() == 2


def test_a_shift_named_with_the_word_shift_reads_once(client, make_user, form_dept):
    from coordination.services.roster import roster_entry_set
    from tests.factories import ShiftFactory

    person = make_user("coordinator")
    late = ShiftFactory(code="LATE", name="Late shift", start_time=dt.time(14), end_time=dt.time(22))
    roster_entry_set(actor=None, user=person, department=form_dept, shift=late)
    client.force_login(person)
    line = client.get("/notifications/settings/").content.decode()
    assert "<strong>Late shift</strong>, 14:00–22:00." in line and "shift shift" not in line


def test_a_person_off_the_roster_is_told_so(client, make_user):
    client.force_login(make_user("coordinator"))
    assert "Not on the roster yet: ask an administrator" in client.get("/notifications/settings/").content.decode()


def test_the_action_item_button_is_for_those_who_may_give_one(client, make_user, held_order):
    wo, hold = held_order
    client.force_login(make_user("viewer"))
    assert "/actions/new/" not in client.get(f"/work-orders/{wo.number}/").content.decode()
    client.force_login(make_user("planner"))
    assert f"/actions/new/?hold={hold.pk}" in client.get(f"/work-orders/{wo.number}/").content.decode()
