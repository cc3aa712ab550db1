"""Locations, lots and stock built through the services, for the stock tests."""

from decimal import Decimal

from materials import stock
from materials.models import Item, Location
from tests.factories import ItemFactory, WorkCenterFactory


def location(code, kind=Location.Kind.WAREHOUSE, **kwargs):
    return stock.location_create(actor=None, code=code, name=f"Location {code}", kind=kind, **kwargs)


def plant_locations():
    """A warehouse (receiving output), a staging lane, a line-side rack at a work center, quarantine."""
    wc = WorkCenterFactory()
    return {
        "wh": location("WH-A", receives_output=True),
        "stage": location("STAGE-1", Location.Kind.STAGING),
        "line": location("LINE-1", Location.Kind.LINE_SIDE, work_center=wc),
        "quar": location("QUAR", Location.Kind.QUARANTINE),
    }


def raw_item(sku="STEEL", uom=Item.Uom.KG, **kwargs):
    return ItemFactory(sku=sku, kind=Item.Kind.RAW, uom=uom, **kwargs)


def receive(item, location, quantity, lot=None):
    return stock.stock_move_post(actor=None, kind="receipt", item=item, quantity=Decimal(quantity), to_location=location, lot=lot)
