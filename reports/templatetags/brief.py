"""How the morning brief's stored values read on the page and in the e-mail."""

import datetime as dt

from django import template

from prodcoord.core.plant_time import to_plant
from prodcoord.core.quantities import fmt_qty

register = template.Library()


@register.filter
def bqty(value):
    """A stored quantity string (``"40.000"``) as people write it (``40``); ``—`` for none."""
    if value in (None, ""):
        return "—"
    return fmt_qty(value)


@register.filter
def bpct(value):
    """A stored percentage (``"96.4"``) with its sign; ``—`` without a plan."""
    return "—" if value in (None, "") else f"{value} %"


@register.filter
def instant(value):
    """A stored ISO 8601 time as an aware datetime on the plant's clock (for the ``date`` filter)."""
    if not value:
        return None
    return to_plant(dt.datetime.fromisoformat(value))


@register.filter
def day(value):
    """A stored ISO date as a date (for the ``date`` filter)."""
    return dt.date.fromisoformat(value) if value else None


@register.filter
def age(hours):
    """An age in hours as ``5 h`` or ``3 d 4 h``."""
    hours = int(hours or 0)
    if hours < 24:
        return f"{hours} h"
    return f"{hours // 24} d {hours % 24} h" if hours % 24 else f"{hours // 24} d"


@register.filter
def minutes(value):
    """Minutes as ``45 min`` or ``3 h 05 min``."""
    value = int(value or 0)
    if value < 60:
        return f"{value} min"
    return f"{value // 60} h {value % 60:02d} min"


@register.filter
def pct_below(value, threshold):
    """Whether a stored percentage is below ``threshold`` (a miss to show)."""
    try:
        return value is not None and float(value) < float(threshold)
    except (TypeError, ValueError):
        return False


@register.filter
def figure(value, name):
    """A restated figure as the brief wrote it: a percentage, minutes or a quantity (by its name)."""
    if value is None:
        return "—"
    if name.endswith("_pct"):
        return bpct(value)
    if name.endswith("minutes"):
        return minutes(value)
    return bqty(value)


@register.filter
def hm(value):
    """Minutes as hours and minutes on a clock face, ``12:45`` (a headline tile's figure)."""
    value = int(value or 0)
    return f"{value // 60}:{value % 60:02d}"


@register.inclusion_tag("reports/partials/_brief_action.html", takes_context=True)
def brief_action(context, section, key, what="", title="", hold=None, downtime=None, work_order=None):
    """Meeting mode: the "+ Action" link on a line of the brief, for those who give action items. It
    opens coordination's form inline (htmx) in the section's slot (``#ai-<section>``), scrolled into view
    with the section's heading however far down the line was, the item linked
    to the line's hold, downtime or work order and to the line itself (``brief:<date>:<section>:<key>``),
    so the next brief shows what became of it. Without script it is a plain link to the form's page."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from reports.brief import brief_reference

    request, brief = context.get("request"), context.get("brief")
    user = getattr(request, "user", None)
    if brief is None or user is None or not user.has_perm("coordination.add_actionitem"):
        return {"show": False}
    page = reverse("brief-date", kwargs={"date": brief.date.isoformat()})
    params = {"source": "brief", "ref": brief_reference(brief.date, section, key), "next": page}
    for name, value in (("hold", hold), ("downtime", downtime), ("work_order", work_order), ("title", title)):
        if value:
            params[name] = value
    slot = f"ai-{section}"
    url = f"{reverse('action-item-new')}?{urlencode(params)}"
    return {
        "show": True,
        "url": url,
        "htmx_url": f"{url}&{urlencode({'slot': slot})}",
        "slot": slot,
        "section": section,  # the section's own id: the form opens in view below its heading
        "what": what or title,
    }
