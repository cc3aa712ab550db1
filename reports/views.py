"""The morning brief's pages: ``/brief/`` (the latest) and ``/brief/<date>/``, rendered from the stored
snapshot in a fixed number of queries, and the button that generates it again."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from prodcoord.core.access import login_required
from prodcoord.core.plant_time import plant_today

from . import selectors, services
from .models import MorningBrief

GENERATE = "reports.generate_morningbrief"
# Rows of a long section (holds, carry-over, shortages, overdue actions) shown on screen; ``?all=1``
# shows every one (the snapshot and the API always hold them all).
SCREEN_ROWS = 25


def _page(request, *, brief, date, status=200):
    earlier, later = selectors.morning_brief_neighbours(date) if date is not None else (None, None)
    show_all = request.GET.get("all") == "1"
    context = {
        "cap": ":" if show_all else f":{SCREEN_ROWS}",
        "screen_rows": SCREEN_ROWS,
        "show_all": show_all,
        "brief": brief,
        "p": brief.payload if brief is not None else None,
        "date": date,
        "earlier": earlier,
        "later": later,
        "today": plant_today(),
        "can_generate": request.user.has_perm(GENERATE),
    }
    return render(request, "reports/brief.html", context, status=status)


@login_required
def brief_latest(request):
    """The latest brief there is (an empty page, with the button for those who may, when none)."""
    brief = selectors.morning_brief_for()
    return _page(request, brief=brief, date=brief.date if brief is not None else plant_today())


@login_required
def brief_for_date(request, date):
    """The brief of the morning ``date`` (YYYY-MM-DD); a 404 page that says so when there is none."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return _page(request, brief=None, date=None, status=404)
    brief = selectors.morning_brief_for(day)
    return _page(request, brief=brief, date=day, status=200 if brief is not None else 404)


@login_required
@require_POST
def brief_generate(request):
    """POST ``date``: generate (again) that morning's brief now, and show it."""
    if not request.user.has_perm(GENERATE):
        raise PermissionDenied("Only coordinators and planners generate the morning brief.")
    raw = request.POST.get("date", "")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, "Give the morning as a date, YYYY-MM-DD.")
        return redirect("brief")
    try:
        brief = services.morning_brief_generate(date=day, actor=request.user, trigger=MorningBrief.Trigger.PAGE)
    except ValidationError as exc:
        for error in exc.message_dict.get("date", exc.messages):
            messages.error(request, error)
        return redirect("brief")
    messages.success(request, f"The brief for {brief.date:%A %B} {brief.date.day} was generated now from the current figures.")
    return redirect(reverse("brief-date", kwargs={"date": brief.date.isoformat()}))
