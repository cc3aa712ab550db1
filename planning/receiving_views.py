"""Receiving: the expected receipts still to come, by due date, and receiving one as the delivery
arrives — in full or in part, into a location, into the delivery's lot (created when new).

With the other materials pages in planning (ARCHITECTURE.md); the writes go through
``materials.stock``.
"""

from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from materials import selectors as stock_selectors
from materials import stock
from materials.models import ExpectedReceipt, Location
from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.plant_time import plant_today
from prodcoord.core.quantities import fmt_qty
from prodcoord.core.redirects import safe_next

RECEIVE_PERMISSION = "materials.receive_expectedreceipt"
PAGE_SIZE = 50
# Where a delivery may go (the ledger's rule for a receipt: materials.stock.SHAPES).
RECEIVING_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.STAGING, Location.Kind.QUARANTINE)


class ReceivingFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Item, reference or supplier")


class ReceiveForm(forms.Form):
    quantity = forms.DecimalField(label="Quantity", min_value=Decimal("0.001"), max_digits=14, decimal_places=3)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label="Into", empty_label=None)
    lot = forms.CharField(required=False, max_length=40, label="Lot", help_text="The delivery's batch; new ones are created")
    expires_on = forms.DateField(required=False, label="Lot expires", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(pk__in=[loc.pk for loc in locations])
        self.fields["location"].choices = [(loc.pk, f"{loc.code} · {loc.name}") for loc in locations]
        self._locations = {loc.pk: loc for loc in locations}

    def clean_location(self):
        # The listed locations, as already read (no query for the choice).
        location = self.cleaned_data["location"]
        return self._locations.get(location.pk, location)


def _locations():
    return [loc for loc in stock_selectors.active_locations() if loc.kind in RECEIVING_KINDS]


def _rows(receipts, *, locations, can_receive, bound=None):
    rows = []
    for receipt in receipts:
        form = None
        if can_receive and locations:
            if bound is not None and bound[0] == receipt.pk:
                form = bound[1]
            else:
                warehouse = next((loc for loc in locations if loc.kind == Location.Kind.WAREHOUSE), locations[0])
                form = ReceiveForm(
                    locations=locations,
                    initial={"quantity": fmt_qty(receipt.quantity_open), "location": warehouse.pk},
                    prefix=f"r{receipt.pk}",
                )
        rows.append({"receipt": receipt, "form": form})
    return rows


def _page(request, *, params, bound=None, status=200):
    """The list as ``params`` (the page's query: ``q``, ``page``) ask for it; after a refused receive,
    the list the person acted from, with that receipt's form and its errors."""
    filters = ReceivingFilterForm(params or None)
    query = filters.cleaned_data["q"].strip() if filters.is_valid() else ""
    page = Paginator(stock_selectors.expected_receipts_open(query), PAGE_SIZE).get_page(params.get("page"))
    receipts = list(page.object_list)
    if bound is not None and all(r.pk != bound[0] for r in receipts):
        receipts.insert(0, bound[2])  # the receipt just acted on, with its errors, even if filtered away
    can_receive = request.user.has_perm(RECEIVE_PERMISSION)
    locations = _locations() if can_receive else []
    here = {"q": query} if query else {}
    if page.number > 1:
        here["page"] = page.number
    context = {
        "filters": filters,
        "page": page,
        "rows": _rows(receipts, locations=locations, can_receive=can_receive, bound=bound),
        "today": plant_today(),
        "query": urlencode({"q": query}) if query else "",
        # Where a receive goes back to: this list, as filtered and paged.
        "back": reverse("receiving") + (f"?{urlencode(here)}" if here else ""),
    }
    return render(request, "planning/receiving.html", context, status=status)


def _back(request):
    """The list the receive form came from (``next``), when it is the receiving list itself."""
    target = safe_next(request, "", within=reverse("receiving"))
    parts = urlsplit(target)
    return target if parts.path == reverse("receiving") else reverse("receiving")


@login_required
def receiving(request):
    """The open expected receipts, the earliest due first (late ones marked), with a receive form each."""
    return _page(request, params=request.GET)


@login_required
@require_POST
def receipt_receive(request, pk):
    if not request.user.has_perm(RECEIVE_PERMISSION):
        raise PermissionDenied("Your role does not allow this.")
    receipt = get_object_or_404(stock_selectors.expected_receipt_list(), pk=pk)
    form = ReceiveForm(request.POST, locations=_locations(), prefix=f"r{pk}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            stock.expected_receipt_receive_into_lot(
                actor=request.user,
                receipt=receipt,
                quantity=data["quantity"],
                location=data["location"],
                lot_code=data["lot"],
                expires_on=data["expires_on"],
            )
        except ValidationError as error:
            attach_service_errors(form, error, rename={"to_location": "location", "code": "lot"})
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            receipt.refresh_from_db(fields=["quantity_received", "status"])
            left = receipt.quantity - receipt.quantity_received
            done = "received in full" if receipt.status == ExpectedReceipt.Status.RECEIVED else f"{fmt_qty(left)} still to come"
            lot = f" (lot {data['lot'].strip()})" if data["lot"].strip() else ""
            what = f"{fmt_qty(data['quantity'])} {receipt.item.uom} {receipt.item.sku}"
            messages.success(
                request, f"{what} received into {data['location'].code}{lot}: {receipt.reference or 'receipt'} {done}."
            )
            return redirect(_back(request))
    back = urlsplit(_back(request))
    return _page(request, params=QueryDict(back.query), bound=(receipt.pk, form, receipt), status=status)
