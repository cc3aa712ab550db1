from django import template

from prodcoord.core.quantities import fmt_qty

register = template.Library()


@register.filter
def qty(value):
    """A quantity as people write it (``40.000`` → ``40``), the same as in messages and the admin."""
    return "" if value is None else fmt_qty(value)
