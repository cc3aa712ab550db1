"""The "my actions" page, and an action item made in one step from a hold, downtime, a work order, a
shortage or a brief line — inline (htmx) on the page that shows it, or as a page of its own."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from plant import selectors as plant_selectors
from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.plant_time import plant_today
from prodcoord.core.redirects import safe_next

from .. import selectors, services
from ..forms import ActionItemCloseForm, ActionItemForm
from ..models import ActionItem

PAGE_SIZE = 50
ADD = "coordination.add_actionitem"
MANAGE = "coordination.change_actionitem"
STATUS_FILTERS = {"open": "Open", "done": "Done", "cancelled": "Cancelled", "all": "All"}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def action_items(request):
    """Mine by default, open first by due date, overdue marked in words as well as colour; coordinators
    and supervisors can look at anyone's (``?owner=all`` or a username)."""
    user = request.user
    manager = user.has_perm(MANAGE)
    today = plant_today()
    status = request.GET.get("status") or "open"
    if status not in STATUS_FILTERS:
        status = "open"
    owner_param = (request.GET.get("owner") or "").strip() if manager else ""
    owner = user
    if owner_param == "all":
        owner = None
    elif owner_param and owner_param != user.username:
        owner = get_user_model().objects.filter(username=owner_param).first()
        if owner is None:
            raise Http404("No such person.")
    overdue_only = request.GET.get("overdue") == "1"
    queryset = selectors.action_items_for(
        owner=owner,
        status=None if status == "all" else status,
        overdue=True if overdue_only else None,
        source=request.GET.get("source") if request.GET.get("source") in ActionItem.Source.values else None,
        today=today,
    ).order_by("due_date", "pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.overdue = item.is_overdue_on(today)
        item.days_late = (today - item.due_date).days if item.overdue else 0
        item.may_change = manager or item.owner_id == user.pk
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    context = {
        "page": page,
        "items": page.object_list,
        "today": today,
        "status": status,
        "status_filters": STATUS_FILTERS,
        "status_label": STATUS_FILTERS[status] if status != "all" else "",
        "owner": owner,
        "owner_param": owner_param or ("" if owner is not None else "all"),
        "manager": manager,
        "people": selectors.owner_choices() if manager else [],
        "overdue_only": overdue_only,
        "sources": ActionItem.Source.choices,
        "source": request.GET.get("source") or "",
        "query": query,
        "can_add": user.has_perm(ADD),
        "roster": selectors.roster_entry_of(user),
    }
    return render(request, "coordination/actionitem_list.html", context)


def _source_of(request):
    """What the new item comes from, read from the query (GET) or the hidden fields (POST): the records
    it links and the defaults they give (title, department)."""
    data = request.POST if request.method == "POST" else request.GET
    number = (data.get("work_order") or "").strip()
    try:
        records = selectors.action_item_source_records(
            hold_id=_int(data.get("hold")),
            downtime_event_id=_int(data.get("downtime_event") or data.get("downtime")),
            work_order_number=number if "\x00" not in number else "",
        )
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    found = {"source": data.get("source") if data.get("source") in ActionItem.Source.values else "", **records}
    if "hold" in records:
        found["source"] = found["source"] or ActionItem.Source.HOLD
    if "downtime_event" in records:
        found["source"] = found["source"] or ActionItem.Source.DOWNTIME
    reference = (data.get("source_reference") or data.get("ref") or "").strip()[:100]
    if reference:
        found["source_reference"] = reference
    found["source"] = found["source"] or ActionItem.Source.OTHER
    return found


def _suggested_title(source):
    hold, downtime = source.get("hold"), source.get("downtime_event")
    if hold is not None:
        return f"{hold.work_order.number}: clear the {hold.get_kind_display().lower()} hold"
    if downtime is not None:
        return f"{downtime.work_center.code}: follow up on {downtime.reason.name.lower()} downtime"
    return ""


def _describe(source):
    hold, downtime, wo = source.get("hold"), source.get("downtime_event"), source.get("work_order")
    if hold is not None:
        return f"{hold.get_kind_display()} hold on {hold.work_order.number}: {hold.reason[:120]}"
    if downtime is not None:
        started = timezone.localtime(downtime.started_at)  # on the plant's clock, as every page shows it
        return f"{downtime.work_center.code} down ({downtime.reason.name}) from {started:%a %b %-d %H:%M}"
    if wo is not None:
        return f"Work order {wo.number}"
    if source.get("source_reference"):
        return f"{ActionItem.Source(source['source']).label}: {source['source_reference']}"
    return ""


def _form(request, *, data=None, initial=None):
    return ActionItemForm(
        data,
        initial=initial or {},
        owners=selectors.owner_choices(),
        departments=plant_selectors.active_departments(),
    )


@login_required
def action_item_new(request):
    """An action item in one step: from a hold (``?hold=``), downtime (``?downtime=``), a work order
    (``?work_order=``), or a reference (``?source=shortage&ref=…``, ``?source=brief&ref=…``). Answers the
    form alone to htmx (inline under what it came from) and a page otherwise."""
    if not request.user.has_perm(ADD):
        raise PermissionDenied("Your role does not allow creating action items.")
    source = _source_of(request)
    back = safe_next(request, reverse("action-items"))
    template = "coordination/partials/_actionitem_form.html" if request.htmx else "coordination/actionitem_form.html"
    if request.method == "POST":
        form = _form(request, data=request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "is_critical"}
            try:
                item = services.action_item_create(actor=request.user, check_permissions=True, **source, **data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        "coordination/partials/_actionitem_created.html",
                        {"item": item, "slot": request.POST.get("slot", "")},
                    )
                messages.success(
                    request, f"Action item “{item.title}” given to {item.owner.get_full_name() or item.owner.username}."
                )
                return redirect(back)
        status = 400
    else:
        title = (request.GET.get("title") or "").strip()[:200] or _suggested_title(source)
        form = _form(request, initial={"title": title, "owner": request.user.pk})
        status = 200
    context = {
        "form": form,
        "source": source,
        "source_text": _describe(source),
        "next": back,
        "slot": request.POST.get("slot") or request.GET.get("slot") or "",
    }
    return render(request, template, context, status=status)


@login_required
@require_POST
def action_item_status(request, pk):
    """Done, cancelled or open again, from the list (the owner, or a coordinator or supervisor)."""
    item = get_object_or_404(ActionItem, pk=pk)
    form = ActionItemCloseForm(request.POST)
    back = safe_next(request, reverse("action-items"))
    if not form.is_valid():
        messages.error(request, "Choose done, cancelled or open.")
        return redirect(back)
    try:
        services.action_item_close(
            actor=request.user,
            action_item=item,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["closing_note"],
            check_permissions=True,
        )
    except (ConflictError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, f"“{item.title}”: {ActionItem.Status(form.cleaned_data['status']).label.lower()}.")
    return redirect(back)


@login_required
def action_item_edit(request, pk):
    """Change an item's title, owner, due date, note or criticality (its owner, or a coordinator or supervisor)."""
    item = get_object_or_404(selectors.action_item_list(), pk=pk)
    if not (request.user.has_perm(MANAGE) or item.owner_id == request.user.pk):
        raise PermissionDenied("Only its owner, a coordinator or a supervisor may change this action item.")
    back = safe_next(request, reverse("action-items"))
    if request.method == "POST":
        form = _form(request, data=request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if not (k == "department" and v is None)}
            try:
                services.action_item_update(actor=request.user, action_item=item, check_permissions=True, **data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, f"“{data['title']}” saved.")
                return redirect(back)
        status = 400
    else:
        form = _form(
            request,
            initial={
                "title": item.title,
                "owner": item.owner_id,
                "due_date": item.due_date,
                "is_critical": item.is_critical,
                "note": item.note,
                "department": item.department.code if item.department_id else None,
            },
        )
        status = 200
    context = {"form": form, "item": item, "next": back, "source": {}, "source_text": "", "editing": True}
    return render(request, "coordination/actionitem_form.html", context, status=status)
