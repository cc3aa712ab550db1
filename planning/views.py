"""Pages for materials: an item's stock, ledger, requirements and expected receipts, and a
work order's materials section (requirements, kitting, stage / issue / return).

They live in planning because they read work orders with their requirements; the
writes go through ``materials.stock``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from materials import selectors as stock_selectors
from materials import stock
from materials.models import Item, Location, StockMove
from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.plant_time import plant_today

from . import selectors
from .forms import MaterialMoveForm
from .requirements import item_requirements, work_order_materials
from .shortages import item_projection

MOVE_LIMIT = 100
REASON_MAX = 500  # a move's note (StockMove.note)
MOVE_PERMISSION = "materials.move_stock"


@login_required
def item_detail(request, sku):
    """On hand by location and lot, open requirements, expected receipts and the latest moves."""
    if "\x00" in sku:
        raise Http404
    return _item_page(request, get_object_or_404(Item, sku__iexact=sku))


def _item_page(request, item, *, refused=None, status=200):
    """The item page; ``refused``: ``(move id, reason typed, [messages])`` of a reversal just refused,
    said at its ledger row."""
    today = plant_today()
    balances, usable, total = stock_selectors.item_on_hand(item, today=today)
    moves = list(stock_selectors.move_list().filter(item=item)[: MOVE_LIMIT + 1])
    receipts = list(stock_selectors.expected_receipt_list().filter(item=item).exclude(status="cancelled")[:50])
    requirements = item_requirements(item)
    projection = item_projection(item, today=today)
    context = {
        "projection": projection,
        "projection_data": {
            "uom": item.uom,
            "points": [{"label": f"{day:%a %b %-d}", "balance": str(balance)} for day, balance in projection],
        },
        "item": item,
        "balances": balances,
        "usable": usable,
        "total": total,
        "moves": moves[:MOVE_LIMIT],
        "moves_truncated": len(moves) > MOVE_LIMIT,
        "move_limit": MOVE_LIMIT,
        "receipts": receipts,
        "open_expected": sum((r.quantity_open for r in receipts), 0),
        "requirements": requirements,
        # What netting counts (released and started orders), and apart from it what drafts would need.
        "required_open": sum((max(r.required - r.issued, 0) for wo, r in requirements if wo.status != "draft"), 0),
        "required_drafts": sum((r.required for wo, r in requirements if wo.status == "draft"), 0),
        "today": today,
        "can_reverse": request.user.has_perm(MOVE_PERMISSION),
        "refused": refused,
    }
    return render(request, "planning/item_detail.html", context, status=status)


@login_required
@require_POST
def stock_move_reverse(request, pk):
    """Reverse a wrong move from the item's ledger, with the reason (the ledger's rules: a move is
    reversed once, a reversal is not reversed, the stock it takes back must still be there)."""
    if not request.user.has_perm(MOVE_PERMISSION):
        raise PermissionDenied("Your role does not allow this.")
    move = get_object_or_404(StockMove.objects.select_related("item"), pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    if len(reason) > REASON_MAX:
        said = [f"At most {REASON_MAX} characters: say it shorter."]
        return _item_page(request, move.item, refused=(move.pk, reason[:REASON_MAX], said), status=400)
    try:
        reversal = stock.stock_move_reverse(actor=request.user, move=move, reason=reason)
    except ValidationError as error:
        said = [m for ms in error.message_dict.values() for m in ms]
        return _item_page(request, move.item, refused=(move.pk, reason, said), status=400)
    except ConflictError as error:
        return _item_page(request, move.item, refused=(move.pk, reason, [error.message]), status=409)
    messages.success(request, f"Move #{move.pk} reversed by #{reversal.pk}.")
    return redirect(reverse("item-detail", args=[move.item.sku]) + "#ledger-title")


def materials_context(work_order, *, user, form=None):
    """What the work order's materials section shows (also for its template tag)."""
    materials = work_order_materials(work_order)
    can_move = user.has_perm(MOVE_PERMISSION) and work_order.status in ("released", "in_progress", "completed")
    locations = list(stock_selectors.active_locations()) if can_move and materials.requirements else []
    if can_move and materials.requirements and form is None:
        first = next((r for r in materials.requirements if r.to_stage > 0), materials.requirements[0])
        staging = next((loc for loc in locations if loc.kind in Location.STAGED_KINDS), None)
        warehouse = next((loc for loc in locations if loc.kind == Location.Kind.WAREHOUSE), None)
        form = MaterialMoveForm(
            requirements=materials.requirements,
            locations=locations,
            initial={
                "item": str(first.item.pk),
                "quantity": first.to_stage or None,
                "from_location": warehouse.pk if warehouse else None,
                "to_location": staging.pk if staging else None,
            },
        )
    return {"wo": work_order, "materials": materials, "move_form": form if can_move else None}


KINDS = {"stage": StockMove.Kind.TRANSFER, "issue": StockMove.Kind.ISSUE, "return": StockMove.Kind.RETURN}


@login_required
@require_POST
def work_order_material_move(request, number):
    if not request.user.has_perm(MOVE_PERMISSION):
        raise PermissionDenied("Your role does not allow this.")
    work_order = selectors.work_order_for_materials(number)
    if work_order is None:
        raise Http404
    materials = work_order_materials(work_order)
    locations = list(stock_selectors.active_locations())
    form = MaterialMoveForm(request.POST, requirements=materials.requirements, locations=locations)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        try:
            stock.stock_move_post(
                actor=request.user,
                kind=KINDS[kind],
                item=data["item"],
                quantity=data["quantity"],
                from_location=data["from_location"] if kind != "return" else None,
                to_location=data["to_location"] if kind != "issue" else None,
                lot=data["lot"],
                work_order=work_order,
                note=data["note"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            verb = {"stage": "staged", "issue": "issued", "return": "returned"}[kind]
            messages.success(request, f"{data['quantity'].normalize():f} {data['item'].sku} {verb} for {work_order.number}.")
            if request.htmx:
                return render(
                    request, "planning/partials/_work_order_materials.html", materials_context(work_order, user=request.user)
                )
            return redirect(reverse("work-order-detail", args=[work_order.number]) + "#wo-materials")
    context = materials_context(work_order, user=request.user, form=form)
    template = "planning/partials/_work_order_materials.html" if request.htmx else "planning/work_order_materials.html"
    return render(request, template, context, status=status)
