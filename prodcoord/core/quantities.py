from decimal import Decimal


def fmt_qty(value):
    """A quantity as a person writes it: ``Decimal("40.000")`` → ``"40"``, ``"2.500"`` → ``"2.5"``."""
    value = Decimal(value)
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"
