"""What a locked-out login gets (django-axes: ``AXES_LOCKOUT_CALLABLE``).

After ``LOGIN_FAILURE_LIMIT`` failed logins for one username from one address,
that pair is locked out for ``LOGIN_LOCKOUT_MINUTES`` (every further failure
meanwhile starts the wait again). The login page and the admin login show a
page that says so; the token endpoint answers a JSON 429. Both carry
``Retry-After``. An administrator can lift a lockout early in the admin
(Axes → Access attempts: delete the row) or with ``manage.py axes_reset``.
"""

import math

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    seconds = max(1, int(cool_off.total_seconds())) if cool_off else None
    minutes = math.ceil(seconds / 60) if seconds else None
    if request.path.startswith("/floor/"):
        # Floor mode's badge sign-in: that badge, on that tablet (the failures are counted by badge and address).
        response = render(request, "floor/locked_out.html", {"minutes": minutes, "idle_seconds": 0}, status=429)
    elif request.path.startswith("/api/"):
        wait = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}." if minutes else "Ask an administrator to unlock it."
        response = JsonResponse({"detail": f"Too many failed logins for this account from this address. {wait}"}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
