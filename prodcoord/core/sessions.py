"""A browser session ends after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request.

Floor tablets are shared: a coordinator who walks away must not leave the
next person working under their name. The time of the last request is kept
in the session (written at most once a minute, so a busy page costs no extra
write per request). A request after the idle time logs the session out and
goes on unauthenticated: a page sends it to the login page (an htmx request
as a whole page), which says why. API requests with a token have no session
and are not affected; an API request on an idle session is no longer
authenticated. ``0`` turns the timeout off.
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


def idle_timeout_seconds():
    return max(0, settings.SESSION_IDLE_TIMEOUT_MINUTES) * 60


class IdleSessionMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = idle_timeout_seconds()
        session = getattr(request, "session", None)
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
        logout(request)
        if not request.path.startswith("/api/"):
            minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
            messages.info(
                request,
                f"You were logged out after {minutes} minute{'s' if minutes != 1 else ''} without activity. "
                "Log in again to go on.",
            )
        # The request goes on unauthenticated: a page sends it to the login page (an htmx request
        # as a whole page), where the message says why; the API answers 401/403.
        return self.get_response(request)
