"""OpenAPI generation for viewsets that read with one serializer and write with another,
and the error answers every operation can give (see API.md)."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .fields import PATH_KEY_PATTERN

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class StaleChangeSerializer(serializers.Serializer):
    """One change made since the version a refused request was made from."""

    field = serializers.CharField(help_text="The field's name (`priority`)")
    label = serializers.CharField(help_text="The field as people read it (`planned end`)")
    old = serializers.CharField(allow_null=True, help_text="Its value before, as people read it")
    new = serializers.CharField(allow_null=True, help_text="Its value after, as people read it")
    by = serializers.CharField(help_text="Who changed it (full name, else username)")
    at = serializers.DateTimeField(help_text="When, in plant time")


class ErrorSerializer(serializers.Serializer):
    """The body of a 409: the state refuses the request (illegal transition, stale version, on hold…)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="With `stale_version`: the version it is at now"
    )
    changes = StaleChangeSerializer(
        many=True,
        required=False,
        help_text="With `stale_version`: the changes since the version sent to the fields the request would change, "
        "oldest first (empty when the log cannot say)",
    )


class DetailSerializer(serializers.Serializer):
    """The body of a 401, 403, 404, 413 or 415: what was refused, in words."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400 (documented by ``ValidationErrorExtension``)."""


MESSAGES = {"type": "array", "items": {"type": "string"}}


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def get_name(self, auto_schema, direction):
        return "ValidationError"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "Field by field, the messages for each field in error: "
                '`{"quantity": ["Must be greater than zero."]}`. Errors that concern no single field come as '
                '`non_field_errors`; a body or query that cannot be read at all as `{"detail": "…"}`. '
                "A list of rows (a BOM's `lines`, a routing's `steps`) answers like the input: a list "
                'with one object per row, empty for a row without errors (`{"lines": [{}, {"component": ["…"]}]}`), '
                'or a list of messages when the list itself is refused (`{"lines": ["At most 1000 lines per BOM …"]}`). '
                "A nested object answers with its own errors, field by field."
            ),
            "properties": {"detail": {"type": "string"}, "non_field_errors": MESSAGES},
            "additionalProperties": {
                "anyOf": [
                    MESSAGES,
                    {"type": "array", "items": {"type": "object", "additionalProperties": MESSAGES}},
                    # a nested object's own errors, field by field: `{"open_items": {"non_field_errors": ["…"]}}`
                    {"type": "object", "additionalProperties": MESSAGES},
                ]
            },
        }


VALIDATION_ERROR = OpenApiResponse(ValidationErrorSerializer, description="The input is invalid.")
NOT_AUTHENTICATED = OpenApiResponse(DetailSerializer, description="No or an invalid token/session.")
FORBIDDEN = OpenApiResponse(DetailSerializer, description="Your role does not allow this.")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such record, or no such page of results.")
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The current state refuses the request (illegal transition, stale `version`, on hold, still referenced).",
)
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(DetailSerializer, description="The body is not JSON (`Content-Type: application/json`).")
BODY_TOO_LARGE = OpenApiResponse(
    DetailSerializer, description="The body is larger than `API_MAX_BODY_BYTES` (1 MiB unless configured)."
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"},
    OpenApiParameter.HEADER,
    description=(
        "Makes a retry safe: a repeated POST with the same key (per user) returns the first response and changes "
        "nothing more. At most 200 printable characters; remembered for `IDEMPOTENCY_KEY_TTL_HOURS`. The same key "
        "with another path or body answers 409 (`idempotency_key_reused`)."
    ),
)
THROTTLED = OpenApiResponse(
    DetailSerializer,
    description="Too many requests (at the token endpoint also: too many failed logins); "
    "try again after the seconds in the `Retry-After` header.",
)


class InputOutputAutoSchema(AutoSchema):
    """Documents ``input_serializer_class`` as the request body of create/update,
    and the view's ``serializer_class`` as every response; adds the error answers
    the operation can give."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST" and getattr(self.view, "permission_classes", None):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def get_request_serializer(self):
        input_class = getattr(self.view, "input_serializer_class", None)
        if input_class is not None and self.method in ("POST", "PUT", "PATCH"):
            return input_class()
        return super().get_request_serializer()

    def _resolve_path_parameters(self, variables):
        """A primary key in the path is documented as the integer it is, not as the
        catch-all URL pattern that lets a malformed one reach the view's JSON 404."""
        parameters = super()._resolve_path_parameters(variables)
        model = get_view_model(self.view, emit_warnings=False)
        if model is None:
            return parameters
        if getattr(self.view, "lookup_field", "pk") != "pk":
            # A natural key: anything but a slash, and not "." or ".." (a URL resolves those away).
            for parameter in parameters:
                if parameter["in"] == "path" and parameter["schema"].get("pattern"):
                    parameter["schema"]["pattern"] = PATH_KEY_PATTERN
            return parameters
        for parameter in parameters:
            if parameter["name"] in ("pk", "id") and "pattern" in parameter["schema"]:
                schema = self._map_model_field(model._meta.pk, direction=None)
                parameter["schema"] = {k: v for k, v in schema.items() if k not in ("readOnly", "writeOnly")}
        return parameters

    def error_responses(self):
        errors = {}
        takes_input = self.method in ("POST", "PUT", "PATCH") or (self.method == "GET" and self._is_list_view())
        if takes_input:
            errors["400"] = VALIDATION_ERROR
        if getattr(self.view, "permission_classes", None):
            errors["401"] = NOT_AUTHENTICATED
            errors["403"] = FORBIDDEN
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            errors["404"] = NOT_FOUND
        if self.method in WRITE_METHODS and getattr(self.view, "permission_classes", None):
            errors["409"] = CONFLICT
        if self.method in ("POST", "PUT", "PATCH"):
            errors["413"] = BODY_TOO_LARGE
            errors["415"] = UNSUPPORTED_MEDIA_TYPE
        if self.method in WRITE_METHODS and self.view.get_throttles():  # writes and the token endpoint
            errors["429"] = THROTTLED
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self.error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
