"""A browser session ends after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request.

Floor tablets are shared: a coordinator who walks away must not leave the
next person working under their name. The time of the last request is kept
in the session (written at most once a minute, so a busy page costs no extra
write per request). A request after the idle time logs the session out and
goes on unauthenticated: a page sends it to the login page (an htmx request
as a whole page), which says why. API requests with a token have no session
and are not affected; an API request on an idle session is no longer
authenticated. ``0`` turns the timeout off.

A floor-mode sign-in (badge and PIN, ``badges.FLOOR_SESSION``) ends sooner: after
``FLOOR_IDLE_TIMEOUT_SECONDS`` (floor mode's page also counts the time in the browser and
goes back to the sign-in when it runs out), and the sign-in page says why.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout

LAST_ACTIVITY = "prodcoord_last_activity"
# The stored time moves on at most this often (seconds); the idle time is that much less exact.
RESOLUTION = 60
LIVE_POLL_HEADER = "X-Live-Poll"


def stamp_login(sender, request, user, **kwargs):
    """``user_logged_in``: the idle time counts from the login."""
    if hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def idle_timeout_seconds(session=None):
    """How long ``session`` may stay idle: a floor-mode sign-in's own time, or every session's."""
    from .badges import FLOOR_SESSION

    if session is not None and session.get(FLOOR_SESSION):
        return max(0, settings.FLOOR_IDLE_TIMEOUT_SECONDS)
    return max(0, settings.SESSION_IDLE_TIMEOUT_MINUTES) * 60


class IdleSessionMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        timeout = idle_timeout_seconds(session)
        if timeout and session is not None and SESSION_KEY in session:
            now = int(time.time())
            last = session.get(LAST_ACTIVITY)
            if last is not None and now - last > timeout:
                return self._ended(request)
            # A live page asking whether anything changed (X-Live-Poll) is not the person's activity:
            # a board left open on a shared tablet still ends its session.
            polling = request.headers.get(LIVE_POLL_HEADER) == "1"
            if not polling and (last is None or now - last >= min(RESOLUTION, timeout)):
                session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def _ended(self, request):
        from .badges import FLOOR_SESSION

        floor = bool(request.session.get(FLOOR_SESSION))
        logout(request)
        if floor:
            seconds = settings.FLOOR_IDLE_TIMEOUT_SECONDS
            idle = f"{seconds // 60} minute{'s' if seconds // 60 != 1 else ''}" if seconds % 60 == 0 else f"{seconds} seconds"
            messages.info(request, f"Signed out after {idle} without activity. Sign in with your badge to go on.")
        elif not request.path.startswith("/api/"):
            minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
            messages.info(
                request,
                f"You were logged out after {minutes} minute{'s' if minutes != 1 else ''} without activity. "
                "Log in again to go on.",
            )
        # The request goes on unauthenticated: a page sends it to the login page (an htmx request
        # as a whole page), where the message says why; the API answers 401/403.
        return self.get_response(request)
