from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from prodcoord.core.models import TimeStampedModel
from prodcoord.core.naturalkeys import natural_key_validator, unique_regardless_of_case

QTY = {"max_digits": 14, "decimal_places": 3}


class Item(TimeStampedModel):
    class Kind(models.TextChoices):
        RAW = "raw", "Raw material"
        COMPONENT = "component", "Component"
        SUBASSEMBLY = "subassembly", "Subassembly"
        FINISHED = "finished", "Finished good"
        PACKAGING = "packaging", "Packaging"
        SUPPLY = "supply", "Supply"

    class Uom(models.TextChoices):
        EACH = "ea", "each"
        KG = "kg", "kilogram"
        G = "g", "gram"
        M = "m", "metre"
        MM = "mm", "millimetre"
        L = "l", "litre"
        M2 = "m2", "square metre"
        LB = "lb", "pound"
        FT = "ft", "foot"
        BOX = "box", "box"
        ROLL = "roll", "roll"

    sku = models.CharField("SKU", max_length=40, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    uom = models.CharField("unit of measure", max_length=8, choices=Uom.choices, default=Uom.EACH)
    lead_time_days = models.PositiveIntegerField(default=0)
    safety_stock = models.DecimalField(**QTY, default=Decimal("0"), validators=[MinValueValidator(0)])
    backflush = models.BooleanField(
        default=False,
        help_text="Issued to a work order automatically when progress is reported at its first operation.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            unique_regardless_of_case("sku"),
            models.CheckConstraint(condition=Q(safety_stock__gte=0), name="%(app_label)s_%(class)s_safety_stock_gte_0"),
        ]

    def __str__(self):
        return self.sku


class ItemRevision(TimeStampedModel):
    """A revision of a document that describes how an item is made (its BOM,
    its routing). Drafts are edited; one revision per item is released; a
    release makes the previous one obsolete."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RELEASED = "released", "Released"
        OBSOLETE = "obsolete", "Obsolete"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="%(class)ss")
    revision = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["item__sku", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["item", "revision"], name="%(app_label)s_%(class)s_unique_item_revision"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="released"),
                name="%(app_label)s_%(class)s_one_released_per_item",
            ),
        ]


class BOM(ItemRevision):
    """A revision of an item's bill of materials."""

    class Meta(ItemRevision.Meta):
        verbose_name = "BOM"
        verbose_name_plural = "BOMs"

    def __str__(self):
        return f"{self.item.sku} rev {self.revision}"


class BOMLine(models.Model):
    bom = models.ForeignKey(BOM, on_delete=models.CASCADE, related_name="lines")
    component = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="used_in")
    quantity_per = models.DecimalField(**QTY)
    scrap_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = "BOM line"
        ordering = ["bom", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bom", "component"], name="%(app_label)s_%(class)s_unique_component"),
            models.CheckConstraint(condition=Q(quantity_per__gt=0), name="%(app_label)s_%(class)s_quantity_per_gt_0"),
            models.CheckConstraint(
                condition=Q(scrap_pct__gte=0) & Q(scrap_pct__lt=100), name="%(app_label)s_%(class)s_scrap_pct_range"
            ),
        ]

    def __str__(self):
        return f"{self.bom}: {self.quantity_per} × {self.component.sku}"


# --- stock: locations, lots, the ledger, balances, expected receipts ---------------------


class Location(TimeStampedModel):
    """Where stock is kept. Quarantine holds stock that is not usable supply; a line-side
    location may belong to a work center (the one it feeds)."""

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", "Warehouse"
        STAGING = "staging", "Staging"
        LINE_SIDE = "line_side", "Line-side"
        QUARANTINE = "quarantine", "Quarantine"

    # Kinds where material waits for a work order at the line (staged for it).
    STAGED_KINDS = (Kind.STAGING, Kind.LINE_SIDE)

    code = models.CharField(max_length=30, db_index=True, validators=[natural_key_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    work_center = models.ForeignKey("plant.WorkCenter", null=True, blank=True, on_delete=models.PROTECT, related_name="locations")
    receives_output = models.BooleanField(
        default=False, help_text="Completed work orders put their good output here (one location at most)."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            unique_regardless_of_case("code"),
            models.CheckConstraint(
                condition=Q(work_center__isnull=True) | Q(kind="line_side"),
                name="%(app_label)s_%(class)s_work_center_only_line_side",
                violation_error_message="Only a line-side location belongs to a work center.",
            ),
            models.UniqueConstraint(
                fields=["receives_output"], condition=Q(receives_output=True), name="%(app_label)s_%(class)s_one_output"
            ),
            models.CheckConstraint(
                condition=Q(receives_output=False) | ~Q(kind="quarantine"),
                name="%(app_label)s_%(class)s_output_not_quarantine",
                violation_error_message="Completed work orders cannot put their output into quarantine.",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_usable(self):
        return self.kind != self.Kind.QUARANTINE


class Lot(TimeStampedModel):
    """A lot (batch) of one item; an expired lot is not usable supply."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(max_length=40, validators=[natural_key_validator])
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["item__sku", "code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="%(app_label)s_%(class)s_unique_item_code"),
        ]

    def __str__(self):
        return f"{self.item.sku}/{self.code}" if "item" in self._state.fields_cache else self.code

    def is_expired(self, on):
        return self.expires_on is not None and self.expires_on < on


class ExpectedReceipt(TimeStampedModel):
    """Incoming supply: an item, a quantity, when it is due; received (partly or wholly) into the ledger."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="expected_receipts")
    quantity = models.DecimalField(**QTY)
    quantity_received = models.DecimalField(**QTY, default=Decimal("0"))
    due_date = models.DateField(db_index=True)
    reference = models.CharField(max_length=60, blank=True, help_text="Purchase order or transfer reference")
    supplier = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)

    class Meta:
        ordering = ["due_date", "id"]
        permissions = [("receive_expectedreceipt", "Can receive expected receipts into stock")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_received__gte=0) & Q(quantity_received__lte=models.F("quantity")),
                name="%(app_label)s_%(class)s_received_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["item", "status", "due_date"], name="materials_er_item_status_due")]

    def __str__(self):
        return f"{self.item.sku} × {self.quantity} due {self.due_date}"

    @property
    def quantity_open(self):
        return self.quantity - self.quantity_received if self.status == self.Status.OPEN else Decimal("0")


class StockMove(models.Model):
    """One line of the stock ledger. Immutable: a mistake is corrected by a move that
    reverses it (``reverses``), with the locations swapped."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ISSUE = "issue", "Issue to a work order"
        TRANSFER = "transfer", "Transfer / stage"
        RETURN = "return", "Return from a work order"
        ADJUST = "adjust", "Adjustment"
        SCRAP = "scrap", "Scrap"
        PRODUCE = "produce", "Produced by a work order"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stock_moves")
    quantity = models.DecimalField(**QTY)
    from_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="moves_out")
    to_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="moves_in")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    work_order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_moves"
    )
    expected_receipt = models.ForeignKey(ExpectedReceipt, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    note = models.CharField(max_length=500, blank=True)
    moved_at = models.DateTimeField(db_index=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        ordering = ["-moved_at", "-id"]
        permissions = [
            ("move_stock", "Can move stock (receive, stage, issue, return, scrap, adjust, reverse)"),
            ("issue_stock", "Can issue material from the line to a work order (floor mode)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(from_location__isnull=False) | Q(to_location__isnull=False),
                name="%(app_label)s_%(class)s_has_a_location",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "-moved_at"], name="materials_move_item_at"),
            models.Index(fields=["work_order", "item"], name="materials_move_wo_item"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity} × {self.item_id}"


class StockBalance(models.Model):
    """What is on hand of an item at a location, per lot; kept by the ledger's service in the
    transaction of each move. Never negative (a database CHECK as the last line of defence)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="balances")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="balances")
    quantity = models.DecimalField(**QTY, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]  # never by the (nullable) lot: balances are locked, and a lock takes no outer join
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="%(app_label)s_%(class)s_never_negative"),
            models.UniqueConstraint(
                fields=["item", "location", "lot"], condition=Q(lot__isnull=False), name="%(app_label)s_%(class)s_unique_lot"
            ),
            models.UniqueConstraint(
                fields=["item", "location"], condition=Q(lot__isnull=True), name="%(app_label)s_%(class)s_unique_no_lot"
            ),
        ]

    def __str__(self):
        return f"{self.item_id}@{self.location_id}: {self.quantity}"
