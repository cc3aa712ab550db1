"""Reads of the plan."""

from django.utils.formats import date_format

from workorders.models import WorkOrder

from .models import ScheduleEntry


def _shift_name(shift):
    return shift.name if shift.name.lower().endswith("shift") else f"{shift.name} shift"


def schedule_entry_labels(ids):
    """``{pk: "Sat Nov 28 · Day shift · LASER-01"}`` for the schedule entries still there (one query):
    how the event log names the slot a schedule event was about. A removed entry is simply absent."""
    if not ids:
        return {}
    entries = ScheduleEntry.objects.filter(pk__in=ids).select_related("shift", "work_center")
    return {
        entry.pk: f"{date_format(entry.date, 'D M j')} · {_shift_name(entry.shift)} · {entry.work_center.code}"
        for entry in entries
    }


def shortage_list():
    """Shortages with their item, work order and the people who acted, by need date then priority."""
    from .models import Shortage

    return Shortage.objects.select_related("item", "work_order", "acknowledged_by", "resolved_by").order_by(
        "needed_by", "work_order__priority", "work_order__number", "item__sku", "pk"
    )


def shortage_fixes(shortages):
    """``{shortage pk: [Fix]}``: for each shortage, the open expected receipts and open work orders of
    its item that arrive after it is needed — what would fix it if it came in time, how much it brings
    and how many days too late it is (two queries for any number of shortages). Earliest first, at
    most three each."""
    import datetime as dt
    from collections import defaultdict
    from dataclasses import dataclass

    from materials.models import ExpectedReceipt
    from prodcoord.core.plant_time import to_plant
    from workorders.models import WorkOrder

    from .shortages import NETTED_STATUSES

    @dataclass
    class Fix:
        kind: str  # "receipt" or "work_order"
        label: str
        quantity: object
        arrives: dt.date
        days_late: int
        covers: bool
        url: str = ""

    shortages = list(shortages)
    item_ids = {s.item_id for s in shortages}
    if not item_ids:
        return {}
    supplies = defaultdict(list)
    for pk, item_id, due, quantity, received, reference, supplier in ExpectedReceipt.objects.filter(
        status=ExpectedReceipt.Status.OPEN, item_id__in=item_ids
    ).values_list("pk", "item_id", "due_date", "quantity", "quantity_received", "reference", "supplier"):
        label = " · ".join(part for part in (reference or f"Receipt #{pk}", supplier) if part)
        supplies[item_id].append(("receipt", label, quantity - received, due, ""))
    for number, item_id, end, quantity in WorkOrder.objects.filter(
        status__in=NETTED_STATUSES, item_id__in=item_ids, planned_end__isnull=False
    ).values_list("number", "item_id", "planned_end", "quantity"):
        supplies[item_id].append(("work_order", number, quantity, to_plant(end).date(), number))
    fixes = {}
    for shortage in shortages:
        late = sorted(
            (s for s in supplies[shortage.item_id] if s[3] > shortage.needed_by and s[2] > 0), key=lambda s: (s[3], s[1])
        )
        fixes[shortage.pk] = [
            Fix(
                kind=kind,
                label=label,
                quantity=quantity,
                arrives=arrives,
                days_late=(arrives - shortage.needed_by).days,
                covers=quantity >= shortage.shortfall,
                url=number,
            )
            for kind, label, quantity, arrives, number in late[:3]
        ]
    return fixes


def schedule_entry_list():
    """Schedule entries with what the API writes of them (their natural keys), in plan order."""
    return ScheduleEntry.objects.select_related("shift", "work_center__department", "work_order").order_by(
        "date", "shift__start_time", "work_center__code", "sequence", "pk"
    )


def work_order_for_materials(number, *, with_operations=False):
    """The work order ``number`` (any case) with its item and pinned BOM, for its materials (and its
    operations, for where its line is); None when there is none (no number holds a NUL)."""
    if "\x00" in number:
        return None
    orders = WorkOrder.objects.select_related("item", "bom")
    if with_operations:
        orders = orders.prefetch_related("operations")
    return orders.filter(number__iexact=number).first()
