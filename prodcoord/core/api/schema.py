"""OpenAPI generation for viewsets that read with one serializer and write with another,
and the error answers every operation can give (see API.md)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ErrorSerializer(serializers.Serializer):
    """The body of a 409: the state refuses the request (illegal transition, stale version, on hold…)."""

    detail = serializers.CharField()
    code = serializers.CharField()


class DetailSerializer(serializers.Serializer):
    """The body of a 401, 403, 404 or 415: what was refused, in words."""

    detail = serializers.CharField()


VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        'The input is invalid: `{"field": ["message"]}` per field (nested for lists of lines or steps), '
        '`{"non_field_errors": ["message"]}`, or `{"detail": "message"}` when the body cannot be read.'
    ),
)
NOT_AUTHENTICATED = OpenApiResponse(DetailSerializer, description="No or an invalid token/session.")
FORBIDDEN = OpenApiResponse(DetailSerializer, description="Your role does not allow this.")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such record, or no such page of results.")
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The current state refuses the request (illegal transition, stale `version`, on hold, still referenced).",
)
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(DetailSerializer, description="The body is not JSON, a form or multipart.")
THROTTLED = OpenApiResponse(
    DetailSerializer,
    description="Too many requests (at the token endpoint also: too many failed logins); "
    "try again after the seconds in the `Retry-After` header.",
)


class InputOutputAutoSchema(AutoSchema):
    """Documents ``input_serializer_class`` as the request body of create/update,
    and the view's ``serializer_class`` as every response; adds the error answers
    the operation can give."""

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
        if model is None or getattr(self.view, "lookup_field", "pk") != "pk":
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
