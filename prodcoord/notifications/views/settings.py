from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from prodcoord.core.access import login_required

from .. import selectors, services
from ..forms import DepartmentForm, SubscriptionAddForm, SubscriptionChangeForm
from ..models import Subscription


def _attach(form, error, *, target_field="target"):
    """A service's refusal shown on the form's fields (its ``target`` on the field that named it)."""
    for field, errors in getattr(error, "message_dict", {"__all__": error.messages}).items():
        name = target_field if field == "target" else field
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


def _render(request, *, add_form=None, department_form=None, change_form=None, status=200):
    settings_row = services.notification_settings_get(user=request.user)
    subscriptions = list(selectors.subscription_list(user=request.user))
    rows = [
        {
            "subscription": s,
            "target": services.target_label(s),
            "verbs": [services.verb_label(v) for v in s.verbs],
            "form": change_form
            if change_form is not None and change_form.prefix == f"s{s.pk}"
            else SubscriptionChangeForm(initial={"email": s.email}, prefix=f"s{s.pk}"),
        }
        for s in subscriptions
    ]
    context = {
        "rows": rows,
        "add_form": add_form or SubscriptionAddForm(),
        "department_form": department_form
        or DepartmentForm(initial={"department": settings_row.department.code if settings_row.department else None}),
        "department": settings_row.department,
        "department_id": services.user_department_id(request.user),
    }
    return render(request, "notifications/settings.html", context, status=status)


@login_required
def notification_settings(request):
    """What the person follows and how they hear of it; their department. POST ``action``: ``add`` (a
    subscription), ``department``, ``defaults`` (back to the role's defaults)."""
    if request.method != "POST":
        return _render(request)
    action = request.POST.get("action")
    if action == "add":
        form = SubscriptionAddForm(request.POST)
        if form.is_valid():
            try:
                services.subscription_create(user=request.user, **form.service_kwargs())
            except ValidationError as error:
                _attach(form, error, target_field=form.target_field())
            else:
                messages.success(request, "Added: you follow it now.")
                return redirect("notification-settings")
        return _render(request, add_form=form, status=400)
    if action == "department":
        form = DepartmentForm(request.POST)
        if form.is_valid():
            services.notification_settings_update(user=request.user, department=form.cleaned_data["department"])
            messages.success(request, "Your department is saved.")
            return redirect("notification-settings")
        return _render(request, department_form=form, status=400)
    if action == "defaults":
        services.notification_defaults_reset(user=request.user)
        messages.success(request, "You follow your role's defaults again.")
        return redirect("notification-settings")
    messages.error(request, "Nothing was changed: unknown action.")
    return _render(request, status=400)


@login_required
@require_POST
def subscription_change(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    form = SubscriptionChangeForm(request.POST, prefix=f"s{pk}")
    if not form.is_valid():
        return _render(request, change_form=form, status=400)
    services.subscription_update(user=request.user, subscription=subscription, email=form.cleaned_data["email"])
    messages.success(request, "Saved.")
    return redirect("notification-settings")


@login_required
@require_POST
def subscription_delete(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    services.subscription_delete(user=request.user, subscription=subscription)
    messages.success(request, "You no longer follow it.")
    return redirect("notification-settings")
