"""``{% work_order_materials wo %}``: the materials section of a work order's page, rendered by
planning (which reads requirements) into the work-order template without workorders importing it."""

from django import template

register = template.Library()


@register.inclusion_tag("planning/partials/_work_order_materials.html", takes_context=True)
def work_order_materials(context, work_order):
    from planning.views import materials_context

    request = context["request"]
    return {**materials_context(work_order, user=request.user), "request": request, "csrf_token": context.get("csrf_token")}
