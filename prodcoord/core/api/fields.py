"""Serializer fields and base classes shared by every app's API."""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from prodcoord.core.naturalkeys import natural_key_problem

# Form posts from the browsable API carry the CSRF token among the fields.
IGNORED_INPUT_KEYS = {"csrfmiddlewaretoken"}


class NaturalKeyField(serializers.SlugRelatedField):
    """A related object written and read by its natural key (``sku``, ``code``, ``number``)."""

    default_error_messages = {
        "does_not_exist": "No {model} with {slug_name} “{value}”.",
        "invalid": "Give the {slug_name} as text.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid", slug_name=self.slug_field)
        queryset = self.get_queryset()
        value = str(data).strip()
        # No record holds a NUL (PostgreSQL refuses to even compare one), so none can match.
        if "\x00" not in value:
            try:
                return queryset.get(**{self.slug_field: value})
            except queryset.model.DoesNotExist:
                pass
        self.fail("does_not_exist", model=queryset.model._meta.verbose_name, slug_name=self.slug_field, value=value[:60])


class EnumField(serializers.ChoiceField):
    """A choice field documented as a named enum component (``WorkOrderStatusEnum``)
    so fields that share a name across resources never collide in the schema."""

    def __init__(self, choices, *, enum_name, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        values = list(field.choices)
        description = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": values, "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class StrictInputMixin:
    """Refuse keys the serializer does not know, instead of silently ignoring them."""

    unknown_field_messages: dict = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - IGNORED_INPUT_KEYS)
            if unknown:
                raise serializers.ValidationError(
                    {key: [self.unknown_field_messages.get(key, "Unknown field; it cannot be set here.")] for key in unknown}
                )
        return super().to_internal_value(data)


class InputSerializer(StrictInputMixin, serializers.Serializer):
    """Validates a request body for a service call; never saves anything itself."""


def quantity_field(**kwargs):
    """A quantity as the API reads and writes it: a decimal string with up to 3 places."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 3)
    return serializers.DecimalField(**kwargs)


class TimeOfDayFieldExtension(OpenApiSerializerFieldExtension):
    """A time of day as the API writes it, ``HH:MM:SS`` with no offset (plant time).

    OpenAPI's ``format: time`` means an RFC 3339 time *with* an offset, which these are not."""

    target_class = serializers.TimeField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "pattern": r"^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$", "example": "06:00:00"}
        return {"type": "string", "description": "Time of day in plant time, HH:MM or HH:MM:SS", "example": "06:00"}


def natural_key(value):
    """A code, SKU or number as written: the one rule of ``prodcoord.core.naturalkeys`` (it
    addresses the record in a URL path, is read off travelers, and is unique regardless of case)."""
    problem = natural_key_problem(value)
    if problem:
        raise serializers.ValidationError(problem)
    return value
