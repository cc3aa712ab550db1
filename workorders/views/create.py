"""Work orders created in the browser, and drafts edited there: the same services as the API
(``work_order_create``, ``work_order_update`` with the person's field permissions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from materials.models import Item
from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError, StaleVersionError
from prodcoord.core.form_errors import attach_service_errors

from .. import selectors, services
from ..forms import DraftEditForm, WorkOrderCreateForm
from ..models import WorkOrder
from ..permissions import draft_editable
from .pages import work_order_get_or_404

ADD = "workorders.add_workorder"
ITEM_OPTIONS = 20


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied("Your role does not allow this.")


def _pinned_context(item):
    """The routing and BOM revisions a work order for ``item`` would pin now."""
    if item is None:
        return {"item": None}
    routing, bom = selectors.item_revisions_to_pin(item=item)
    return {"item": item, "routing": routing, "bom": bom}


@login_required
@require_http_methods(["GET", "POST"])
def work_order_create(request):
    """A new draft work order: item, quantity, due date, priority, customer reference and plan."""
    _require(request.user, ADD)
    form = WorkOrderCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                work_order = services.work_order_create(
                    actor=request.user,
                    item=data["item"],
                    quantity=data["quantity"],
                    priority=data["priority"],
                    due_date=data["due_date"],
                    planned_start=data["planned_start"],
                    planned_end=data["planned_end"],
                    customer_ref=data["customer_ref"],
                )
            except ValidationError as error:
                attach_service_errors(form, error, form_wide=("version",))
            else:
                pinned = [f"routing rev {work_order.routing.revision}"]
                pinned.append(f"BOM rev {work_order.bom.revision}" if work_order.bom else "no BOM")
                messages.success(request, f"{work_order.number} created as a draft, with {' and '.join(pinned)}.")
                return redirect(reverse("work-order-detail", args=[work_order.number]))
        status = 400
        messages.error(request, "Not created: check the form below.")
    context = {"form": form, "item_options_limit": ITEM_OPTIONS, **_pinned_context(form.item if form.is_bound else None)}
    return render(request, "workorders/work_order_create.html", context, status=status)


@login_required
@require_GET
def work_order_item_options(request):
    """The items a work order can be made for whose SKU or name holds ``?item=``: ``<option>``s for
    the new-order form's item list (at most ``ITEM_OPTIONS``; the SKU is the value)."""
    _require(request.user, ADD)
    search = request.GET.get("item", "")[:40].replace("\x00", "")
    items = selectors.items_for_work_orders(search=search, limit=ITEM_OPTIONS)
    return render(request, "workorders/partials/_item_options.html", {"items": items})


@login_required
@require_GET
def work_order_pinned_preview(request):
    """What a work order for the item ``?item=<SKU>`` would pin now (the new-order form shows it
    as soon as an item is chosen)."""
    _require(request.user, ADD)
    sku = request.GET.get("item", "").strip()
    item = None
    if sku and "\x00" not in sku and len(sku) <= 40:
        item = Item.objects.filter(Q(sku__iexact=sku)).first()
    context = {**_pinned_context(item), "sku": sku}
    return render(request, "workorders/partials/_pinned_preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def work_order_edit(request, number):
    """A draft's quantity, customer reference, priority and plan; released orders change on their
    own page (priority, reschedule)."""
    work_order = work_order_get_or_404(number)
    editable = draft_editable(request.user, work_order)
    if not editable:
        raise PermissionDenied("Your role does not allow changing work orders.")
    if work_order.status != WorkOrder.Status.DRAFT:
        messages.error(
            request,
            f"{work_order.number} is {work_order.get_status_display().lower()}: only a draft is edited here. "
            "Change its priority or plan on its page.",
        )
        return redirect(reverse("work-order-detail", args=[work_order.number]))
    form = DraftEditForm(request.POST or None, work_order=work_order, editable=editable)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, f"Nothing changed on {work_order.number}.")
                return redirect(reverse("work-order-detail", args=[work_order.number]))
            try:
                services.work_order_update(
                    work_order=work_order,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                    check_permissions=True,
                    **changes,
                )
            except ValidationError as error:
                attach_service_errors(form, error, form_wide=("version",))
            except ConflictError as error:
                text = f"Not saved. {error.message}" if isinstance(error, StaleVersionError) else error.message
                messages.error(request, text)
                fresh = work_order_get_or_404(number)
                if fresh.status != WorkOrder.Status.DRAFT:
                    return redirect(reverse("work-order-detail", args=[number]))
                # What the person typed stays, with the version they now see and why it was refused.
                data = request.POST.copy()
                data["version"] = str(fresh.version)
                form = DraftEditForm(data, work_order=fresh, editable=draft_editable(request.user, fresh))
                form.is_valid()
                form.add_error(None, text)
                return render(request, "workorders/work_order_edit.html", {"form": form, "wo": fresh}, status=409)
            else:
                messages.success(request, f"{work_order.number} saved.")
                return redirect(reverse("work-order-detail", args=[work_order.number]))
        status = 400
        if form.hidden_errors():
            messages.error(request, form.hidden_errors()[0])
        else:
            messages.error(request, "Not saved: check the form below.")
    return render(request, "workorders/work_order_edit.html", {"form": form, "wo": work_order}, status=status)
