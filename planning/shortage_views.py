"""The shortages board (``/shortages/``) and the pick list (``/pick-list/``).

The board reads stored ``Shortage`` rows (netting computes them in the background), filtered with
the API's ``ShortageFilter``, with what would fix each (``selectors.shortage_fixes``); planners and
coordinators acknowledge, escalate and resolve from it through ``planning.shortages``.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from plant import selectors as plant_selectors
from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.plant_time import plant_today
from prodcoord.core.redirects import safe_next

from . import selectors, shortages
from .filters import ShortageFilter
from .models import Shortage
from .pick_list import PICK_SHIFTS_MAX, pick_list

PAGE_SIZE = 50
ACT_PERMISSION = "planning.act_on_shortage"
STATUS_CHOICES = [("", "Unresolved"), *Shortage.Status.choices, ("all", "All")]
SERVICES = {
    "acknowledge": shortages.shortage_acknowledge,
    "escalate": shortages.shortage_escalate,
    "resolve": shortages.shortage_resolve,
}
DONE = {"acknowledge": "acknowledged", "escalate": "escalated", "resolve": "resolved"}


class ShortageFilterForm(forms.Form):
    department = forms.ChoiceField(required=False)
    item = forms.CharField(required=False, max_length=40, label="Item SKU")
    work_order = forms.CharField(required=False, max_length=30, label="Work order")
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    horizon = forms.IntegerField(required=False, min_value=0, max_value=3650, label="Needed within (days)")

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "All departments"), *((d.code, f"{d.code} · {d.name}") for d in departments)]

    def filter_params(self):
        """The API filter's parameters for the valid choices."""
        data = self.cleaned_data
        params = QueryDict(mutable=True)
        for name in ("department", "item", "work_order"):
            if data.get(name):
                params[name] = data[name].strip()
        if data.get("horizon") is not None:
            params["horizon"] = str(data["horizon"])
        status = data.get("status")
        if not status:
            params["unresolved"] = "true"
        elif status != "all":
            params["status"] = status
        return params


class ShortageActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in SERVICES])
    note = forms.CharField(required=False, max_length=500)


def _rows(shortage_page, user, forms_by_pk=None):
    fixes = selectors.shortage_fixes(shortage_page)
    can_act = user.has_perm(ACT_PERMISSION)
    forms_by_pk = forms_by_pk or {}
    return [
        {
            "s": s,
            "fixes": fixes.get(s.pk, []),
            "can_act": can_act and s.status != Shortage.Status.RESOLVED,
            "form": forms_by_pk.get(s.pk),
        }
        for s in shortage_page
    ]


@login_required
def shortages_board(request):
    """Shortages by need date, filtered by department, item, work order, status and horizon."""
    departments = list(plant_selectors.active_departments())
    form = ShortageFilterForm(request.GET or None, departments=departments)
    params = form.filter_params() if form.is_bound and form.is_valid() else QueryDict("unresolved=true")
    if form.is_bound and not form.is_valid():
        params = QueryDict("unresolved=true")
    filtered = ShortageFilter(params, queryset=selectors.shortage_list())
    queryset = filtered.qs if filtered.is_valid() else selectors.shortage_list().none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list, request.user),
        "query": query.urlencode(),
        "today": plant_today(),
        "horizon_days": settings.SHORTAGE_ESCALATION_HORIZON_DAYS,
    }
    return render(request, "planning/shortages.html", context)


@login_required
@require_POST
def shortage_act(request, pk):
    """Acknowledge, escalate or resolve one shortage from the board (htmx: its row comes back)."""
    if not request.user.has_perm(ACT_PERMISSION):
        raise PermissionDenied("Your role does not allow this.")
    shortage = get_object_or_404(selectors.shortage_list(), pk=pk)
    form = ShortageActForm(request.POST)
    status = 400
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            SERVICES[action](actor=request.user, shortage=shortage, note=form.cleaned_data["note"])
        except ValidationError as error:
            attach_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            text = f"{shortage.item.sku} for {shortage.work_order.number}: {DONE[action]}."
            if not request.htmx:
                messages.success(request, text)
                return redirect(safe_next(request, reverse("shortages")))
            fresh = selectors.shortage_list().get(pk=pk)
            return render(
                request,
                "planning/partials/_shortage_row.html",
                {"row": _rows([fresh], request.user)[0], "done": text, "today": plant_today(), "can_act_column": True},
            )
    fresh = selectors.shortage_list().get(pk=pk)
    row = _rows([fresh], request.user, {pk: form})[0]
    if request.htmx:
        context = {"row": row, "today": plant_today(), "can_act_column": True}
        return render(request, "planning/partials/_shortage_row.html", context, status=status)
    return render(
        request,
        "planning/shortages.html",
        {"form": ShortageFilterForm(departments=[]), "rows": [row], "page": None, "today": plant_today(), "single": True},
        status=status,
    )


@login_required
def pick_list_page(request):
    """What to pick, location by location, for the work orders scheduled in the next N shifts."""
    raw = request.GET.get("shifts", "2")
    try:
        shifts = int(raw)
    except ValueError:
        shifts = 0
    error = None
    if not 1 <= shifts <= PICK_SHIFTS_MAX:
        error = f"Choose between 1 and {PICK_SHIFTS_MAX} shifts."
        shifts = max(1, min(shifts, PICK_SHIFTS_MAX)) if shifts else 2
    if "\x00" in raw:
        raise Http404
    context = {"shifts": shifts, "error": error, "max_shifts": PICK_SHIFTS_MAX, **pick_list(shifts=shifts)}
    return render(request, "planning/pick_list.html", context, status=400 if error else 200)
