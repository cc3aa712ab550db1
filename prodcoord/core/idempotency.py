"""``Idempotency-Key`` for API POSTs: a retry with the same key gets the first
response back and changes nothing more.

Keys are per user. A key reused for a different path or body is refused; a
key whose first request is still running answers 409. Server errors are not
remembered, so a retry after a 5xx runs again.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .auth import ExpiringTokenAuthentication
from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"


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


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/v1/"):
            return self.get_response(request)
        if len(key) > 200:
            return JsonResponse({"Idempotency-Key": ["Use at most 200 characters."]}, status=400)
        if any(ord(char) < 32 or ord(char) == 127 for char in key):
            return JsonResponse({"Idempotency-Key": ["Use printable characters only."]}, status=400)
        user = _user_for(request)
        if user is None:
            return self.get_response(request)  # the API answers 401
        digest = hashlib.sha256(request.body).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user, key=key, method=request.method, path=request.path, request_hash=digest
                )
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:  # purged meanwhile
                return self.get_response(request)
            return self._replay(existing, request, digest)
        try:
            response = self.get_response(request)
        except Exception:
            record.delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        record.state = IdempotencyKey.State.DONE
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "application/json")
        record.body = response.content
        record.save(update_fields=["state", "status_code", "content_type", "body"])
        return response

    @staticmethod
    def _replay(existing, request, digest):
        if existing.path != request.path or existing.method != request.method or existing.request_hash != digest:
            return JsonResponse(
                {"detail": "This Idempotency-Key was already used for a different request.", "code": "idempotency_key_reused"},
                status=409,
            )
        if existing.state != IdempotencyKey.State.DONE:
            return JsonResponse(
                {"detail": "A request with this Idempotency-Key is still being processed.", "code": "idempotency_in_progress"},
                status=409,
            )
        response = HttpResponse(bytes(existing.body), status=existing.status_code, content_type=existing.content_type)
        response["Idempotent-Replayed"] = "true"
        return response


def idempotency_keys_purge(*, now=None):
    """Forget keys older than ``IDEMPOTENCY_KEY_TTL_HOURS``; returns how many. Idempotent."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
