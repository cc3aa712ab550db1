"""Floor mode's material page: an operator issues a work order's material from the line (the
staging lanes and line-side racks), one component at a time, from where it lies.

It lives in planning because it reads the order's requirements; the move goes through
``materials.stock`` like every other. Operators have ``materials.issue_stock`` (issue only, only
here); whoever may move any stock (``materials.move_stock``) may issue here too.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from materials import selectors as stock_selectors
from materials import stock
from materials.models import StockMove
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.plant_time import plant_today
from prodcoord.core.quantities import fmt_qty
from workorders.views.floor import ISSUE_STATUSES, can_issue_material, floor_context, floor_login_required

from . import selectors
from .requirements import work_order_materials


class FloorIssueForm(forms.Form):
    """Issue one component: how much, from which of the places on the line that hold it."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.TypedChoiceField(label="From", coerce=int, empty_value=None)
    quantity = forms.DecimalField(
        label="Quantity",
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = {balance.pk: balance for balance in sources}
        self.fields["source"].choices = [(balance.pk, _source_label(balance)) for balance in sources]


def _source_label(balance):
    lot = f" · lot {balance.lot.code}" if balance.lot_id else ""
    return f"{balance.location.code}{lot} · {fmt_qty(balance.quantity)} {balance.item.uom}"


def _line_stock(work_order, items, *, today):
    """``{item_id: [balance, …]}`` on the line for ``work_order``, the racks of its work centers first."""
    centers = {op.work_center_id for op in work_order.operations.all()}
    return stock_selectors.line_stock([item.pk for item in items], work_center_ids=centers, today=today)


def _lines(work_order, *, bound=None):
    """Each requirement of the order, with where its component lies on the line and, while some is
    still to issue, a form to issue it (``bound``: the form just posted, with its errors)."""
    materials = work_order_materials(work_order)
    stock_by_item = _line_stock(work_order, [r.item for r in materials.requirements], today=plant_today())
    lines = []
    for requirement in materials.requirements:
        sources = stock_by_item.get(requirement.item.pk, [])
        form = None
        if bound is not None and bound.data.get("item") == str(requirement.item.pk):
            form = bound  # the issue just refused, with its errors (even if nothing is left there now)
        elif requirement.to_issue > 0 and sources:
            first = sources[0]
            form = FloorIssueForm(
                sources=sources,
                initial={
                    "item": requirement.item.pk,
                    "source": first.pk,
                    "quantity": fmt_qty(min(requirement.to_issue, first.quantity)),
                },
            )
        lines.append({"requirement": requirement, "sources": sources, "form": form})
    return materials, lines


def _page(request, work_order, *, bound=None, status=200):
    materials, lines = _lines(work_order, bound=bound)
    context = floor_context(
        request,
        wo=work_order,
        materials=materials,
        lines=lines,
        can_issue=work_order.status in ISSUE_STATUSES,
    )
    return render(request, "floor/material.html", context, status=status)


def _work_order_or_404(number):
    work_order = selectors.work_order_for_materials(number, with_operations=True)
    if work_order is None:
        raise Http404(f"No work order {number[:30]}.")
    return work_order


@floor_login_required
@require_http_methods(["GET", "HEAD"])
def floor_material(request, number):
    if not can_issue_material(request.user):
        raise PermissionDenied("Your role does not allow this.")
    return _page(request, _work_order_or_404(number))


@floor_login_required
@require_POST
def floor_material_issue(request, number):
    if not can_issue_material(request.user):
        raise PermissionDenied("Your role does not allow this.")
    work_order = _work_order_or_404(number)
    materials = work_order_materials(work_order)
    requirements = {str(r.item.pk): r for r in materials.requirements}
    requirement = requirements.get(request.POST.get("item", ""))
    if requirement is None:
        messages.error(request, "That is not a material of this order.")
        return _page(request, work_order, status=400)
    sources = _line_stock(work_order, [requirement.item], today=plant_today()).get(requirement.item.pk, [])
    form = FloorIssueForm(request.POST, sources=sources)
    status = 400
    if form.is_valid():
        balance = form.sources[form.cleaned_data["source"]]
        quantity = form.cleaned_data["quantity"]
        try:
            stock.stock_move_post(
                actor=request.user,
                kind=StockMove.Kind.ISSUE,
                item=requirement.item,
                quantity=quantity,
                from_location=balance.location,
                lot=balance.lot,
                work_order=work_order,
            )
        except ValidationError as error:
            attach_service_errors(form, error, rename={"from_location": "source", "lot": "source"}, form_wide=("item",))
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(
                request, f"{fmt_qty(quantity)} {requirement.item.uom} {requirement.item.sku} issued to {work_order.number}."
            )
            return redirect(reverse("floor-material", args=[work_order.number]))
    return _page(request, work_order, bound=form, status=status)
