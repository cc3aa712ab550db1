"""Units of measure: which are counted and which are measured.

An item made in pieces (``ea``), boxes or rolls is counted: a work order for
it, and every good or scrap quantity reported on it, is a whole number — half
a bracket, half a box of cartons or half a roll of film is not something the
floor makes or scraps. Kilograms, metres, litres and the other units are
measured and keep their three decimal places.
"""

from decimal import ROUND_CEILING, Decimal, InvalidOperation

from .models import Item

U = Item.Uom
# Counted units, and how a person names many of them.
COUNTED = {U.EACH: "pieces", U.BOX: "boxes", U.ROLL: "rolls"}


def is_counted(uom):
    return uom in COUNTED


def whole_units_problem(uom, value):
    """What is wrong with ``value`` as a quantity in ``uom``, in words, or None: a counted unit
    takes whole numbers only. A value that is no number at all is left to the caller."""
    if not is_counted(uom) or value is None:
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite() or number == number.to_integral_value():
        return None
    return f"Counted in whole {COUNTED[uom]} ({uom}): enter a whole number, not {number.normalize():f}."


def component_quantity(*, order_quantity, quantity_per, scrap_pct, uom):
    """What ``order_quantity`` units need of a component: quantity × quantity per × (1 + scrap %),
    rounded up to the component's unit (whole for a counted one, 0.001 otherwise)."""
    raw = Decimal(order_quantity) * Decimal(quantity_per) * (1 + Decimal(scrap_pct) / Decimal("100"))
    step = Decimal("1") if is_counted(uom) else Decimal("0.001")
    return raw.quantize(step, rounding=ROUND_CEILING)
