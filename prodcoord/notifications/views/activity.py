from django.http import QueryDict
from django.shortcuts import render

from prodcoord.core.access import login_required
from prodcoord.events.filters import EventFilter
from prodcoord.events.forms import ActivityFilterForm
from prodcoord.events.presenters import event_url, present
from prodcoord.events.selectors import activity_feed, event_list

from ..services import activity_visit_record


def _seen_before(request, events, *, first_page):
    """The newest event the person had seen before this visit; the first page records the visit."""
    newest = events[0].pk if events else 0
    if first_page:
        return activity_visit_record(user=request.user, newest_event_id=newest)
    return int(request.GET.get("seen") or 0) if (request.GET.get("seen") or "").isdigit() else newest


@login_required
def activity(request):
    """The activity feed: every recorded change, newest first, filterable, by cursor (``?before=<id>``).
    What was recorded since the person's last visit is marked new."""
    form = ActivityFilterForm(request.GET or None)
    events, older, seen = [], None, 0
    if form.is_bound and not form.is_valid():
        valid = False
    else:
        valid = True
        terms = form.filter_data() if form.is_bound else {}
        queryset = EventFilter(terms, queryset=event_list()).qs
        before = form.cleaned_data.get("before") if form.is_bound else None
        events, older = activity_feed(queryset=queryset, before=before)
        seen = _seen_before(request, events, first_page=before is None)
    rows = []
    for event, row in zip(events, present(events), strict=True):
        scopes = list(event.scopes.all())
        row.update(
            id=event.pk,
            object=event.object_repr,
            url=event_url(event),
            new=event.pk > seen,
            departments=sorted({s.department.code for s in scopes if s.department is not None}),
            work_centers=sorted({s.work_center.code for s in scopes if s.work_center is not None}),
        )
        rows.append(row)
    query = QueryDict(mutable=True)
    if form.is_bound and valid:
        query.update({k: v for k, v in request.GET.items() if k not in ("before", "seen") and v})
    filters_query = query.urlencode()
    if older is not None:
        query["before"] = older
        query["seen"] = seen
    context = {
        "form": form,
        "rows": rows,
        "valid": valid,
        "filtered": form.is_bound and valid and form.filtered,
        "older_query": query.urlencode() if older is not None else None,
        "filters_query": filters_query,
        "paged": form.is_bound and valid and form.cleaned_data.get("before") is not None,
        "new_count": sum(1 for row in rows if row["new"]),
    }
    return render(request, "notifications/activity.html", context)
