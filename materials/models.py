from decimal import Decimal

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
