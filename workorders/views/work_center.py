"""What is at a work center now and what comes to it next: where an operator lands.

"My work center" is the one the person chose (remembered for them: plant.UserWorkCenter);
any work center's list can be opened by its code too.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from plant.models import WorkCenter
from plant.selectors import user_work_center, work_center_by_code, work_center_list
from plant.services import user_work_center_set
from prodcoord.core.access import login_required

from .. import selectors

# Each list shows the most urgent orders; more are a link away (the open list, filtered).
LIMIT = 50


class WorkCenterChoiceForm(forms.Form):
    work_center = forms.ModelChoiceField(
        label="Work center",
        queryset=WorkCenter.objects.none(),
        to_field_name="code",
        empty_label="Choose…",
        error_messages={
            "required": "Choose the work center you work at.",
            "invalid_choice": "Choose one of the work centers in the list.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["work_center"]
        field.queryset = work_center_list().filter(is_active=True)
        field.label_from_instance = lambda wc: f"{wc.code} · {wc.name}"


def _limited(queryset):
    rows = list(queryset[: LIMIT + 1])
    return rows[:LIMIT], len(rows) > LIMIT


def _queue(request, work_center, *, form=None, mine=False, status=200):
    now, more_now = _limited(selectors.work_center_now(work_center=work_center))
    upcoming, more_next = _limited(selectors.work_center_next(work_center=work_center))
    context = {
        "work_center": work_center,
        "mine": mine,
        "form": form or WorkCenterChoiceForm(initial={"work_center": work_center.code}),
        "now": now,
        "more_now": more_now,
        "next": upcoming,
        "more_next": more_next,
        "held": selectors.work_center_held_count(work_center=work_center),
        "limit": LIMIT,
        "can_report": request.user.has_perm("workorders.report_progress"),
    }
    return render(request, "workorders/work_center_queue.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_work_center(request):
    """GET: what is at the person's work center now and next (or, before they chose one, the
    choice). POST ``work_center=<code>``: work there from now on (remembered for them)."""
    if request.method == "POST":
        form = WorkCenterChoiceForm(request.POST)
        if form.is_valid():
            work_center = form.cleaned_data["work_center"]
            try:
                user_work_center_set(actor=request.user, user=request.user, work_center=work_center)
            except ValidationError as error:
                form.add_error("work_center", error.messages)
            else:
                messages.success(request, f"Your work center is {work_center.code} now.")
                return redirect("my-work-center")
        current = user_work_center(user=request.user)
        if current is not None:
            return _queue(request, current, form=form, mine=True, status=400)
        return render(request, "workorders/work_center_choose.html", {"form": form}, status=400)
    current = user_work_center(user=request.user)
    if current is None:
        return render(request, "workorders/work_center_choose.html", {"form": WorkCenterChoiceForm()})
    return _queue(request, current, mine=True)


@login_required
def work_center_queue(request, code):
    """Any work center's orders now and next, by its code (a bookmark on a station's tablet)."""
    work_center = work_center_by_code(code)
    if work_center is None:
        raise Http404(f"No work center {code}.")
    mine = user_work_center(user=request.user) == work_center
    return _queue(request, work_center, mine=mine)
