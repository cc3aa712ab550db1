"""``Idempotency-Key`` for API POSTs: a retry with the same key gets the first
successful response back and changes nothing more (the rules Stripe's API keeps).

- Keys are per user. A key reused for a different path or body is refused (409).
- A key is claimed by a pending row before the request runs; a second request
  with it meanwhile answers 409 (``idempotency_in_progress``). A pending row
  older than ``IDEMPOTENCY_KEY_LEASE_SECONDS`` belongs to a request that
  crashed or timed out: the next request with the key takes it over.
- The request runs in one transaction with the row that records its answer:
  a successful (2xx) answer and its changes are committed together, so a
  crash in between leaves neither. Any other answer — refused by validation
  or permissions (4xx), by the state of the records (409), or failed (5xx) —
  is rolled back and forgets the key, so the corrected request can be sent
  with the same key.
- A path that names no endpoint, and an endpoint that authenticates no one
  (the token endpoint), take no key.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .auth import ExpiringTokenAuthentication
from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 200


def _user_for(request):
    """The user the API will see: the session user, or the one DRF's token authentication finds."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        found = ExpiringTokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None  # the API itself answers 401
    return found[0] if found else None


def _key_error(key):
    if len(key) > MAX_KEY_LENGTH:
        return f"Use at most {MAX_KEY_LENGTH} characters."
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        return "Use printable characters only."
    return None


def _takes_keys(path):
    """Whether ``path`` names an API endpoint that knows its user (keys are per user)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False  # the API answers 404
    view_class = getattr(match.func, "cls", None)
    return getattr(view_class, "authentication_classes", None) != ()


def _remembered(response):
    return 200 <= response.status_code < 300 and not getattr(response, "streaming", False)


def _conflict(detail, code):
    return JsonResponse({"detail": detail, "code": code}, status=409)


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/v1/"):
            return self.get_response(request)
        if error := _key_error(key):
            return JsonResponse({"Idempotency-Key": [error]}, status=400)
        if not _takes_keys(request.path_info):
            return self.get_response(request)
        user = _user_for(request)
        if user is None:
            return self.get_response(request)  # the API answers 401
        # Percent-encoded: a NUL or any other character in the path is stored as text PostgreSQL accepts.
        path = escape_uri_path(request.path)
        digest = hashlib.sha256(request.body).hexdigest()
        claimed = self._claim(user=user, key=key, method=request.method, path=path, digest=digest)
        if isinstance(claimed, HttpResponse):
            return claimed
        return self._run(request, claimed)

    def _claim(self, *, user, key, method, path, digest):
        """The new pending row for this request, or the response to give instead (a replay or a 409)."""
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    return IdempotencyKey.objects.create(user=user, key=key, method=method, path=path, request_hash=digest)
            except IntegrityError:
                pass
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # released meanwhile: claim it again
            if existing.state == IdempotencyKey.State.PENDING and existing.created_at < lease_cutoff():
                # The request that claimed it crashed or timed out (its transaction was rolled back with it).
                # Only one retry removes exactly that row; the others find the new claim.
                IdempotencyKey.objects.filter(
                    pk=existing.pk, state=IdempotencyKey.State.PENDING, created_at=existing.created_at
                ).delete()
                continue
            return self._replay(existing, method=method, path=path, digest=digest)
        return _conflict("A request with this Idempotency-Key is still being processed.", "idempotency_in_progress")

    def _run(self, request, record):
        try:
            with transaction.atomic():
                response = self.get_response(request)
                remembered = _remembered(response)
                if remembered:
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    record.state = IdempotencyKey.State.DONE
                    record.status_code = response.status_code
                    record.content_type = response.get("Content-Type", "application/json")
                    record.body = response.content
                    record.save(update_fields=["state", "status_code", "content_type", "body"])
                else:
                    # Refused or failed: whatever the request wrote is undone with the key.
                    transaction.set_rollback(True)
        except Exception:
            record.delete()
            raise
        if not remembered:
            record.delete()
        return response

    @staticmethod
    def _replay(existing, *, method, path, digest):
        if existing.path != path or existing.method != method or existing.request_hash != digest:
            return _conflict("This Idempotency-Key was already used for a different request.", "idempotency_key_reused")
        if existing.state != IdempotencyKey.State.DONE:
            return _conflict("A request with this Idempotency-Key is still being processed.", "idempotency_in_progress")
        response = HttpResponse(bytes(existing.body), status=existing.status_code, content_type=existing.content_type)
        response["Idempotent-Replayed"] = "true"
        return response


def lease_cutoff(*, now=None):
    """Pending keys claimed before this instant belong to requests that crashed or timed out."""
    return (now or timezone.now()) - dt.timedelta(seconds=settings.IDEMPOTENCY_KEY_LEASE_SECONDS)


def idempotency_keys_purge(*, now=None):
    """Forget keys older than ``IDEMPOTENCY_KEY_TTL_HOURS``, and pending keys past their lease;
    returns how many. Idempotent."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    expired = IdempotencyKey.objects.filter(created_at__lt=cutoff)
    abandoned = IdempotencyKey.objects.filter(state=IdempotencyKey.State.PENDING, created_at__lt=lease_cutoff(now=now))
    deleted, _ = (expired | abandoned).delete()
    return deleted
