"""OpenAPI generation for viewsets that read with one serializer and write with another."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class InputOutputAutoSchema(AutoSchema):
    """Documents ``input_serializer_class`` as the request body of create/update,
    and the view's ``serializer_class`` as every response."""

    def get_request_serializer(self):
        input_class = getattr(self.view, "input_serializer_class", None)
        if input_class is not None and self.method in ("POST", "PUT", "PATCH"):
            return input_class()
        return super().get_request_serializer()


class ErrorSerializer(serializers.Serializer):
    """The body of a 409: the state refuses the request (illegal transition, stale version, on hold…)."""

    detail = serializers.CharField()
    code = serializers.CharField()
