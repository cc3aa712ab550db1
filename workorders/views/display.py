"""The wall display: one department's work centers on a TV on the floor, refreshing itself.

``/display/<department>/?token=…`` opens it: the token (created by a supervisor in the admin,
plant.WallDisplay) is checked and kept in a cookie for that page only, and the address is shown
without it — the token does not stay in the address bar, the history or the server's log of each
refresh. No login: the token is the display's only key. It shows that department and nothing
else (another department's address answers 404), answers GET only (anything else: 405), and a
revoked token stops working at the next refresh (the page reloads into the refusal).
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_safe

from plant.selectors import department_by_code, wall_display_for_token

from .. import selectors
from .pages import progress_shares

COOKIE = "prodcoord_display"
COOKIE_MAX_AGE = 400 * 24 * 3600  # as long as browsers keep a cookie


def _refused(request, reason, *, status=403):
    # The cookie stays: the display keeps saying why until it is given a new link.
    response = render(request, "display/refused.html", {"reason": reason}, status=status)
    if request.htmx:
        response["HX-Refresh"] = "true"  # a polling display shows the refusal instead of stale figures
    add_never_cache_headers(response)
    return response


def _progress_here(work_order):
    """The bar's shares: good and scrap at the current operation, of the order's quantity."""
    op = work_order.current_operation
    good, scrap = (op.quantity_good, op.quantity_scrap) if op is not None else (0, 0)
    work_order.completed_pct, work_order.scrapped_pct = progress_shares(good, scrap, work_order.quantity)
    return work_order


@require_safe
def wall_display(request, department):
    dept = department_by_code(department, active_only=True)
    if dept is None:
        raise Http404(f"No department {department}.")
    given = request.GET.get("token")
    token = given if given is not None else request.COOKIES.get(COOKIE)
    if not token:
        return _refused(request, "This screen needs its display link. A supervisor creates one in the admin (Wall displays).")
    display = wall_display_for_token(token)
    if display is None:
        return _refused(request, "This display link is not valid. Check it, or ask a supervisor for a new one.")
    if display.department_id != dept.pk:
        raise Http404(f"No department {department}.")  # a display shows its own department only
    if display.revoked_at is not None:
        return _refused(request, "This display link was revoked. Ask a supervisor for a new one.")
    if given is not None:
        # Keep the token in a cookie for this page only and show the address without it.
        response = redirect(request.path)
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_MAX_AGE,
            path=request.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return response
    board = selectors.department_display(department=dept)
    for wc in board["work_centers"]:
        for wo in wc.orders:
            _progress_here(wo)
    context = {
        "department": dept,
        "display": display,
        "refresh_seconds": max(5, settings.WALL_DISPLAY_REFRESH_SECONDS),
        "now": timezone.now(),
        **board,
    }
    fragment = bool(request.htmx) and not request.htmx.boosted
    template = "display/partials/_board.html" if fragment else "display/department.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    add_never_cache_headers(response)
    return response
