"""Material requirements of work orders, read from their pinned BOM revision and the stock ledger.

A work order needs, of each component of its BOM revision (the one pinned when
it was created), its quantity × quantity per × (1 + scrap %), rounded up to the
component's unit (whole pieces for a counted item, 0.001 otherwise). What has
been staged for it and issued to it comes from the ledger
(``materials.selectors.work_order_flows``), so a requirement can never disagree
with the moves. Nothing here is stored: two queries answer any number of orders.

Kitting: *complete* when every component is staged or issued in full,
*partial* when some of it is, *not staged* when none is; *none* for an order
with no BOM.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from materials.models import BOMLine
from materials.selectors import work_order_flows
from materials.units import component_quantity
from workorders.models import WorkOrder

ZERO = Decimal("0")


class Kitting:
    NONE = "none"
    NOT_STAGED = "not_staged"
    PARTIAL = "partial"
    COMPLETE = "complete"
    LABELS = {NONE: "No materials", NOT_STAGED: "Not staged", PARTIAL: "Partly kitted", COMPLETE: "Kitted"}
    CHOICES = [(NOT_STAGED, "Not staged"), (PARTIAL, "Partly kitted"), (COMPLETE, "Kitted"), (NONE, "No materials")]


required_quantity = component_quantity


@dataclass
class Requirement:
    work_order_id: int
    item: object
    quantity_per: Decimal
    scrap_pct: Decimal
    required: Decimal
    staged: Decimal = ZERO
    issued: Decimal = ZERO

    @property
    def covered(self):
        return self.staged + self.issued

    @property
    def to_stage(self):
        """What is still to be staged or issued for the order."""
        return max(self.required - self.covered, ZERO)

    @property
    def to_issue(self):
        return max(self.required - self.issued, ZERO)

    @property
    def kitting(self):
        if self.covered >= self.required:
            return Kitting.COMPLETE
        return Kitting.PARTIAL if self.covered > 0 else Kitting.NOT_STAGED


@dataclass
class WorkOrderMaterials:
    work_order: object
    requirements: list = field(default_factory=list)

    @property
    def kitting(self):
        if not self.requirements:
            return Kitting.NONE
        states = {r.kitting for r in self.requirements}
        if states == {Kitting.COMPLETE}:
            return Kitting.COMPLETE
        if states == {Kitting.NOT_STAGED}:
            return Kitting.NOT_STAGED
        return Kitting.PARTIAL

    @property
    def kitting_label(self):
        return Kitting.LABELS[self.kitting]


def work_orders_materials(work_orders):
    """``{work_order_id: WorkOrderMaterials}`` for ``work_orders`` (with their item loaded), in two queries."""
    work_orders = list(work_orders)
    by_bom = {}
    for wo in work_orders:
        if wo.bom_id is not None:
            by_bom.setdefault(wo.bom_id, []).append(wo)
    result = {wo.pk: WorkOrderMaterials(work_order=wo) for wo in work_orders}
    if not by_bom:
        return result
    lines = BOMLine.objects.filter(bom_id__in=list(by_bom)).select_related("component").order_by("bom_id", "component__sku")
    flows = work_order_flows(result)
    for line in lines:
        for wo in by_bom[line.bom_id]:
            flow = flows.get((wo.pk, line.component_id), {})
            result[wo.pk].requirements.append(
                Requirement(
                    work_order_id=wo.pk,
                    item=line.component,
                    quantity_per=line.quantity_per,
                    scrap_pct=line.scrap_pct,
                    required=required_quantity(
                        order_quantity=wo.quantity,
                        quantity_per=line.quantity_per,
                        scrap_pct=line.scrap_pct,
                        uom=line.component.uom,
                    ),
                    staged=flow.get("staged", ZERO),
                    issued=flow.get("issued", ZERO),
                )
            )
    return result


def work_order_materials(work_order):
    return work_orders_materials([work_order])[work_order.pk]


def item_requirements(item, *, statuses=("draft", "released", "in_progress")):
    """The open work orders that need ``item`` and how much, for the item page (three queries; one
    when no open order needs it)."""
    orders = (
        WorkOrder.objects.filter(status__in=statuses, bom__lines__component=item)
        .select_related("item")
        .order_by("planned_start", "priority", "number")
        .distinct()
    )
    materials = work_orders_materials(orders)
    rows = []
    for wo_materials in materials.values():
        for requirement in wo_materials.requirements:
            if requirement.item.pk == item.pk:
                rows.append((wo_materials.work_order, requirement))
    return rows
