"""Rate limits for the API (DRF throttles), answered 429 with ``Retry-After``.

- ``TokenRateThrottle``: ``POST auth/token/`` per client address, so a script
  cannot try password after password (django-axes also locks the account out
  for that address after ``LOGIN_FAILURE_LIMIT`` failures).
- ``WriteRateThrottle``: every write (``POST``, ``PUT``, ``PATCH``, ``DELETE``)
  per user. Reads are not limited.

The rates are read from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at each
request (``API_THROTTLE_TOKEN_RATE``, ``API_THROTTLE_WRITE_RATE``); an empty
rate turns that limit off. The counts live in Django's default cache: give all
web processes one shared cache (Redis) for them to count together.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request):
    """The client's address as the throttles see it: ``REMOTE_ADDR``, or with
    ``NUM_PROXIES`` proxies in front, the address the nearest of them saw.
    Also what django-axes locks out by (``AXES_CLIENT_IP_CALLABLE``)."""
    return BaseThrottle().get_ident(request)


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        # Read at each request rather than once at import, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or None


class TokenRateThrottle(_SettingsRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class WriteRateThrottle(_SettingsRateThrottle):
    scope = "write"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return None  # refused with 401 before a throttle is asked
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
