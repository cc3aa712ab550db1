"""``{% action_item_from hold=hold %}`` / ``{% action_item_from downtime=event %}``: the one-step "action
item" button under a hold or a downtime event, rendered by coordination into the pages of the apps below
it (workorders, plant) without them importing it — as planning's ``{% work_order_materials %}`` does.
The button fetches coordination's form inline (htmx) and works as a plain link without script.
``{% roster_line user %}``: the department and shift a person is rostered on, for their settings."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("coordination/partials/_action_item_button.html", takes_context=True)
def action_item_from(context, hold=None, downtime=None, work_order=None, source="", ref="", label="Action item", place=""):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("coordination.add_actionitem"):
        return {"show": False}
    params = {}
    if hold is not None:
        params["hold"], slot = hold.pk, f"ai-hold-{hold.pk}"
    elif downtime is not None:
        params["downtime"], slot = downtime.pk, f"ai-downtime-{downtime.pk}"
    elif work_order is not None and not source:
        params["work_order"], slot = work_order.number, f"ai-wo-{work_order.number}"
    else:
        # a reference (a shortage, a brief line), with the work order it is about when there is one
        ref = str(ref)
        params["source"], params["ref"], slot = source, ref, f"ai-{source}-{abs(hash(ref)) % 10**8}"
        if work_order is not None:
            params["work_order"] = work_order.number
    if place:
        slot = f"{slot}-{place}"  # the same record shown twice on a page
    params["next"] = request.get_full_path()
    url = f"{reverse('action-item-new')}?{urlencode(params)}"
    return {"show": True, "url": url, "htmx_url": f"{url}&{urlencode({'slot': slot})}", "slot": slot, "label": label}


@register.inclusion_tag("coordination/partials/_roster_line.html")
def roster_line(user):
    from coordination.selectors import roster_entry_of

    return {"roster": roster_entry_of(user)}
