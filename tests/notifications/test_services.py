"""Who is notified of what: followers of every department an order's operations pass through, role
defaults, nothing for a change that rolled back, and subscriptions checked like any input."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from plant.services import user_work_center_set
from prodcoord.notifications import services
from prodcoord.notifications.models import Notification, NotificationSettings, Subscription
from prodcoord.outbox.models import OutboxMessage
from tests.factories import UserFactory
from tests.notifications.helpers import follower, later, routed_plant
from workorders import services as wo

pytestmark = pytest.mark.django_db


def notified(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("verb", flat=True))


@pytest.fixture
def plant(shifts):
    return routed_plant()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run ``fn`` as a request would: its transaction commits, then its follow-ups run (no broker: in process)."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run


def test_a_hold_priority_shift_and_reschedule_notify_the_followers_of_every_department_the_order_passes_through(plant, commit):
    coordinator = UserFactory(role="coordinator")
    downstream = follower("department", "PAINT")
    middle = follower("department", "ASM")
    at_bench = follower("work_center", "ASM-01")
    of_order = follower("work_order", plant.order.number)
    elsewhere = follower("department", "SHIP")

    commit(wo.hold_place, work_order=plant.order, actor=coordinator, kind="quality", reason="Burr on the edge.")
    plant.order.refresh_from_db()
    commit(wo.work_order_update, work_order=plant.order, actor=coordinator, priority=1, reason="Customer escalation.")
    plant.order.refresh_from_db()
    commit(wo.work_order_update, work_order=plant.order, actor=coordinator, due_date=later(3), reason="Pulled in.")

    expected = ["hold.placed", "work_order.priority_changed", "work_order.rescheduled"]
    for person in (downstream, middle, at_bench, of_order):
        assert notified(person) == expected
    assert notified(elsewhere) == []
    assert notified(coordinator) == []  # one's own change is no news
    hold = Notification.objects.get(user=downstream, verb="hold.placed")
    assert plant.order.number in hold.message and "Burr on the edge." in hold.message
    assert hold.url == f"/work-orders/{plant.order.number}/"
    assert hold.read_at is None


def test_a_department_subscription_narrowed_to_some_kinds_gets_only_those(plant, commit):
    holds_only = follower("department", "PAINT", verbs=["hold.placed", "hold.released"])
    coordinator = UserFactory(role="coordinator")
    commit(wo.work_order_update, work_order=plant.order, actor=coordinator, priority=1, reason="Escalation.")
    hold = commit(wo.hold_place, work_order=plant.order, actor=coordinator, kind="quality", reason="Burr.")
    commit(wo.hold_release, hold=hold, actor=coordinator, release_note="Deburred.", disposition="rework")
    assert notified(holds_only) == ["hold.placed", "hold.released"]


def test_an_event_kind_is_followed_plant_wide(plant, commit):
    planner = follower("event", "work_order.rescheduled", role="planner")
    commit(wo.work_order_update, work_order=plant.order, actor=UserFactory(role="coordinator"), due_date=later(), reason="Moved.")
    commit(wo.hold_place, work_order=plant.order, actor=None, kind="quality", reason="Burr.")
    assert notified(planner) == ["work_order.rescheduled"]


def test_a_change_that_rolled_back_leaves_no_notification_and_no_message(plant, django_capture_on_commit_callbacks):
    person = follower("department", "PAINT", email="immediate")
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        wo.hold_place(work_order=plant.order, actor=None, kind="quality", reason="Burr.")
        raise RuntimeError("the rest of the request failed")
    assert notified(person) == []
    assert OutboxMessage.objects.count() == before


def test_the_fan_out_runs_in_the_outbox_message_written_with_the_event(plant, django_capture_on_commit_callbacks):
    person = follower("department", "PAINT")
    before = OutboxMessage.objects.order_by("pk").last().pk
    with django_capture_on_commit_callbacks(execute=False):
        wo.hold_place(work_order=plant.order, actor=None, kind="quality", reason="Burr.")
    message = OutboxMessage.objects.get(pk__gt=before)
    assert message.task == "prodcoord.notifications.tasks.notifications_fan_out_task"
    assert message.state == "pending" and notified(person) == []
    from prodcoord.outbox.services import outbox_message_run

    assert outbox_message_run(message_id=message.pk) == "done"
    assert outbox_message_run(message_id=message.pk) == "skipped"
    assert notified(person) == ["hold.placed"]
    # Run again by hand (a redelivery whose "done" was lost): nothing is made twice.
    assert services.notifications_fan_out(event_ids=message.kwargs["event_ids"]) == []
    assert notified(person) == ["hold.placed"]


# --- role defaults --------------------------------------------------------------------------------------------


def test_each_role_starts_with_its_defaults_once(plant, commit):
    supervisor = UserFactory(role="supervisor")
    user_work_center_set(actor=supervisor, user=supervisor, work_center=plant.booth)  # works in PAINT
    planner = UserFactory(role="planner")
    viewer = UserFactory(role="viewer")
    lost_supervisor = UserFactory(role="supervisor")  # no department known

    assert services.notification_defaults_apply() >= 4
    sup = Subscription.objects.get(user=supervisor)
    assert (sup.kind, sup.department_id, sup.verbs, sup.email) == (
        "department",
        plant.paint.pk,
        ["hold.placed", "hold.released"],
        "immediate",
    )
    assert sorted(Subscription.objects.filter(user=planner).values_list("kind", "verb", "email")) == sorted(
        ("event", verb, "digest")
        for verb in (
            "schedule.entry_changed",
            "schedule.entry_created",
            "schedule.entry_removed",
            "schedule.entry_replanned",
            "work_order.priority_changed",
            "work_order.rescheduled",
        )
    )
    assert not Subscription.objects.filter(user__in=[viewer, lost_supervisor]).exists()

    # Once set up, a person's choices stand: the defaults are not applied again.
    Subscription.objects.filter(user=planner).delete()
    assert services.notification_defaults_apply() == 0
    assert not Subscription.objects.filter(user=planner).exists()

    # The supervisor's default in action: a hold in PAINT reaches them, a priority shift does not.
    commit(wo.hold_place, work_order=plant.order, actor=None, kind="quality", reason="Burr.")
    assert notified(supervisor) == ["hold.placed"]


def test_a_person_who_chooses_a_department_follows_it_as_their_role_does(plant):
    supervisor = UserFactory(role="supervisor")
    services.notification_settings_update(user=supervisor, department=plant.asm)
    assert NotificationSettings.objects.get(user=supervisor).department == plant.asm
    assert services.user_department_id(supervisor) == plant.asm.pk
    assert list(Subscription.objects.filter(user=supervisor).values_list("department__code", "verbs")) == [
        ("ASM", ["hold.placed", "hold.released"])
    ]
    services.notification_defaults_reset(user=supervisor)
    assert Subscription.objects.filter(user=supervisor).count() == 1


def test_the_fan_out_sets_up_people_who_never_opened_their_settings(plant, commit):
    supervisor = UserFactory(role="supervisor")
    user_work_center_set(actor=supervisor, user=supervisor, work_center=plant.bench)
    commit(wo.hold_place, work_order=plant.order, actor=None, kind="quality", reason="Burr.")
    assert notified(supervisor) == ["hold.placed"]


# --- subscriptions: every input checked, nothing half written -------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"kind": "department", "target": "NOPE"}, "target"),
        ({"kind": "work_center", "target": ""}, "target"),
        ({"kind": "work_order", "target": "WO-999999"}, "target"),
        ({"kind": "event", "target": "item.created"}, "target"),
        ({"kind": "planet", "target": "FAB"}, "kind"),
        ({"kind": "department", "target": "FAB", "email": "hourly"}, "email"),
        ({"kind": "department", "target": "FAB", "verbs": ["hold.exploded"]}, "verbs"),
        ({"kind": "event", "target": "hold.placed", "verbs": ["hold.placed"]}, "verbs"),
    ],
)
def test_bad_subscriptions_are_refused_on_their_field(plant, row, field):
    user = UserFactory()
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(user=user, **row)
    assert field in refused.value.message_dict
    assert not Subscription.objects.filter(user=user).exists()


def test_following_twice_is_refused_and_a_batch_is_all_or_nothing(plant):
    user = UserFactory()
    services.subscription_create(user=user, kind="department", target="FAB")
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(user=user, kind="department", target="FAB")
    assert refused.value.message_dict == {"target": ["You already follow this."]}
    with pytest.raises(ValidationError):
        services.subscriptions_create(
            user=user, rows=[{"kind": "department", "target": "ASM"}, {"kind": "department", "target": "NOPE"}]
        )
    assert list(Subscription.objects.filter(user=user).values_list("department__code", flat=True)) == ["FAB"]


def test_a_person_changes_and_stops_only_their_own_subscriptions(plant):
    mine, theirs = UserFactory(), UserFactory()
    subscription = services.subscription_create(user=theirs, kind="department", target="FAB")
    with pytest.raises(ValidationError):
        services.subscription_update(user=mine, subscription=subscription, email="immediate")
    with pytest.raises(ValidationError):
        services.subscription_delete(user=mine, subscription=subscription)
    subscription.refresh_from_db()
    assert subscription.email == "none"
