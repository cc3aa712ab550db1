"""A plant for the notification tests: an order routed through three departments, and people following them."""

import datetime as dt
from dataclasses import dataclass

from prodcoord.notifications.services import subscription_create
from tests.factories import DepartmentFactory, UserFactory, WorkCenterFactory, make_routed_item, make_work_order


@dataclass
class Plant:
    fab: object
    asm: object
    paint: object
    other: object
    laser: object
    bench: object
    booth: object
    order: object


def routed_plant(status="released"):
    """FAB (LASER-01) → ASM (ASM-01) → PAINT (BOOTH-01); SHIP has nothing to do with the order."""
    fab, asm, paint, other = (DepartmentFactory(code=code) for code in ("FAB", "ASM", "PAINT", "SHIP"))
    laser = WorkCenterFactory(code="LASER-01", department=fab)
    bench = WorkCenterFactory(code="ASM-01", department=asm)
    booth = WorkCenterFactory(code="BOOTH-01", department=paint)
    WorkCenterFactory(code="DOCK-01", department=other)
    order = make_work_order(item=make_routed_item(work_centers=[laser, bench, booth]), status=status)
    return Plant(fab, asm, paint, other, laser, bench, booth, order)


def follower(kind, target, *, role="viewer", email="none", verbs=None, **kwargs):
    """A person (with their settings already made, so role defaults do not add to what the test names)
    who follows ``target``."""
    from prodcoord.notifications.models import NotificationSettings

    user = UserFactory(role=role, **kwargs)
    NotificationSettings.objects.create(user=user)
    subscription_create(user=user, kind=kind, target=target, email=email, verbs=verbs)
    return user


def later(days=7):
    return dt.date.today() + dt.timedelta(days=days)
