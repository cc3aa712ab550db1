"""factory_boy factories. Domain objects with rules (work orders, holds,
progress) are built through the services, so test data obeys every rule."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory

from materials.models import BOM, BOMLine, Item
from plant.models import Department, Shift, WorkCenter
from workorders.models import Routing, RoutingStep, ScrapReason


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@plant.example")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Department {o.code}")


class WorkCenterFactory(DjangoModelFactory):
    class Meta:
        model = WorkCenter
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WC-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Work center {o.code}")
    department = factory.SubFactory(DepartmentFactory)
    capacity_hours_per_shift = Decimal("8")


class ShiftFactory(DjangoModelFactory):
    class Meta:
        model = Shift
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Shift {o.code}")
    start_time = dt.time(6)
    end_time = dt.time(14)


def standard_shifts():
    """Day 06–14, swing 14–22, night 22–06 (crosses midnight)."""
    return [
        ShiftFactory(code="DAY", name="Day", start_time=dt.time(6), end_time=dt.time(14)),
        ShiftFactory(code="SWING", name="Swing", start_time=dt.time(14), end_time=dt.time(22)),
        ShiftFactory(code="NIGHT", name="Night", start_time=dt.time(22), end_time=dt.time(6)),
    ]


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"ITEM-{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.sku}")
    kind = Item.Kind.FINISHED
    uom = Item.Uom.EACH


class BOMFactory(DjangoModelFactory):
    class Meta:
        model = BOM

    item = factory.SubFactory(ItemFactory)
    revision = "A"
    status = BOM.Status.DRAFT


class BOMLineFactory(DjangoModelFactory):
    class Meta:
        model = BOMLine

    bom = factory.SubFactory(BOMFactory)
    component = factory.SubFactory(ItemFactory, kind=Item.Kind.RAW)
    quantity_per = Decimal("1")


class RoutingFactory(DjangoModelFactory):
    class Meta:
        model = Routing

    item = factory.SubFactory(ItemFactory)
    revision = "A"
    status = Routing.Status.DRAFT


class RoutingStepFactory(DjangoModelFactory):
    class Meta:
        model = RoutingStep

    routing = factory.SubFactory(RoutingFactory)
    sequence = factory.Sequence(lambda n: (n + 1) * 10)
    work_center = factory.SubFactory(WorkCenterFactory)
    setup_minutes = Decimal("15")
    run_minutes_per_unit = Decimal("1.5")


class ScrapReasonFactory(DjangoModelFactory):
    class Meta:
        model = ScrapReason
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SR{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Scrap reason {o.code}")


def scrap_reason(code="BURR", name="Burr on edge"):
    """A scrap reason (the same one for the same code): what a report with scrap names."""
    return ScrapReasonFactory(code=code, name=name)


def make_routed_item(*, sku=None, work_centers=None, with_bom=True, uom=Item.Uom.EACH, run_minutes_per_unit=Decimal("2")):
    """A finished item (counted in pieces unless ``uom`` says otherwise) with a released routing
    (two steps unless given) and, optionally, a released BOM."""
    from materials.services import bom_create, bom_release
    from workorders.services import routing_create, routing_release

    item = ItemFactory(**({"sku": sku} if sku else {}), uom=uom)
    work_centers = work_centers or [WorkCenterFactory(), WorkCenterFactory()]
    routing = routing_create(
        actor=None,
        item=item,
        revision="A",
        steps=[
            {"sequence": (i + 1) * 10, "work_center": wc, "setup_minutes": 10, "run_minutes_per_unit": run_minutes_per_unit}
            for i, wc in enumerate(work_centers)
        ],
    )
    routing_release(actor=None, routing=routing)
    if with_bom:
        raw = ItemFactory(kind=Item.Kind.RAW, uom=Item.Uom.KG)
        bom = bom_create(actor=None, item=item, revision="A", lines=[{"component": raw, "quantity_per": Decimal("0.5")}])
        bom_release(actor=None, bom=bom)
    return item


def make_work_order(*, item=None, quantity=Decimal("100"), status="draft", actor=None, moved_at=None, **kwargs):
    """A work order created through the services and moved to ``status`` legally
    (at ``moved_at``, default now: progress cannot be dated before the release)."""
    from workorders import services

    item = item or make_routed_item()
    wo = services.work_order_create(actor=actor, item=item, quantity=quantity, **kwargs)
    path = {
        "draft": [],
        "released": ["release"],
        "in_progress": ["release", "start"],
        "completed": ["release", "start", "complete"],
        "closed": ["release", "start", "complete", "close"],
        "cancelled": ["cancel"],
    }[status]
    for action in path:
        reason = "test" if action in ("cancel", "complete") else ""
        wo = services.work_order_transition(action=action, work_order=wo, actor=actor, reason=reason, at=moved_at)
    wo.refresh_from_db()
    return wo
