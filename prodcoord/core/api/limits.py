"""What one API request may carry, checked before anything reads it.

- A body larger than ``API_MAX_BODY_BYTES`` is refused with 413 (the JSON parser
  checks again while reading, for a body sent without a ``Content-Length``).
- A path longer than ``MAX_PATH_LENGTH`` characters is a 404: no record's key is
  that long, and the path must fit where a request is remembered (the
  ``Idempotency-Key`` record keeps it).

The other limits sit where their input is read: JSON nesting in the parser
(``API_MAX_JSON_DEPTH``), ``?page_size=`` in the paginator
(``API_MAX_PAGE_SIZE``), lines per BOM and steps per routing in the serializers
and the batch services (``BOM_MAX_LINES``, ``ROUTING_MAX_STEPS``).
"""

from django.conf import settings
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException

API_PREFIX = "/api/"
# The longest path the API serves is well under 100 characters; the
# Idempotency-Key record stores the path in 500.
MAX_PATH_LENGTH = 300


def body_too_large_message(limit=None):
    limit = settings.API_MAX_BODY_BYTES if limit is None else limit
    return f"The request body is larger than the limit of {limit} bytes (API_MAX_BODY_BYTES)."


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"

    def __init__(self):
        super().__init__(body_too_large_message())


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ApiRequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            if len(request.path) > MAX_PATH_LENGTH:
                return JsonResponse({"detail": "Not found."}, status=404)
            if _content_length(request) > settings.API_MAX_BODY_BYTES:
                return JsonResponse({"detail": body_too_large_message()}, status=413)
        return self.get_response(request)
