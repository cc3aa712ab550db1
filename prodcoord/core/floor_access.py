"""Operators reach floor mode only.

A person who is floor-only (``badges.floor_only``: signed in with a badge and PIN, or whose roles
are operator and perhaps viewer) gets floor mode and nothing else: any other page sends them to
floor mode's start (a GET) or is refused (403, anything else); the REST API refuses them
(``api.permissions.RolePermission``). The paths they may use are ``FLOOR_MODE_PATHS`` (URL names,
resolved once): floor mode, logging out, and the static files.

After ``IdleSessionMiddleware`` (an idle floor session is signed out first).
"""

import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from .badges import floor_only

# URL names whose paths (and everything under them) a floor-only person may open.
FLOOR_MODE_PATHS = ("floor-pick", "logout")
FLOOR_START = "floor-pick"


@functools.cache
def _allowed_prefixes():
    prefixes = [settings.STATIC_URL, "/favicon.ico"]
    for name in FLOOR_MODE_PATHS:
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefixes)


class FloorOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            not path.startswith("/api/v1/")  # the API's own permission class refuses them (a JSON 403)
            and not path.startswith(_allowed_prefixes())
            and floor_only(request.user, getattr(request, "session", None))
        ):
            if request.method in ("GET", "HEAD"):
                return redirect(FLOOR_START)
            raise PermissionDenied("Floor mode only: your sign-in reaches floor mode and nothing else.")
        return self.get_response(request)
