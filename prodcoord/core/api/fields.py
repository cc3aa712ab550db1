"""Serializer fields and base classes shared by every app's API."""

import copy
from collections.abc import Mapping

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from prodcoord.core import naturalkeys
from prodcoord.core.plant_time import CALENDAR_MESSAGE, within_calendar


class NaturalKeyField(serializers.SlugRelatedField):
    """A related object written and read by its natural key (``sku``, ``code``, ``number``)."""

    default_error_messages = {
        "does_not_exist": "No {model} with {slug_name} “{value}”.",
        "invalid": "Give the {slug_name} as text.",
    }

    # {key: record} looked up for this field together with others (``prefetch_natural_keys``), or None.
    prefetched = None

    def __deepcopy__(self, memo):
        # Each serializer instance copies its fields; the queryset is shared, not deep-copied (a deep copy
        # of a query costs more than the lookup it makes): get_queryset() hands out a fresh .all() of it.
        queryset = self._kwargs.get("queryset")
        if queryset is not None:
            memo[id(queryset)] = queryset
        return super().__deepcopy__(memo)

    @staticmethod
    def key(data):
        """The key as looked up, or None for a value that is no key at all."""
        if not isinstance(data, str | int) or isinstance(data, bool):
            return None
        return str(data).strip()

    def to_internal_value(self, data):
        value = self.key(data)
        if value is None:
            self.fail("invalid", slug_name=self.slug_field)
        queryset = self.get_queryset()
        if self.prefetched is not None and value in self.prefetched:
            found = self.prefetched[value]
            if found is not None:
                return found
        # No record holds a NUL (PostgreSQL refuses to even compare one), so none can match.
        elif "\x00" not in value:
            try:
                return queryset.get(**{self.slug_field: value})
            except queryset.model.DoesNotExist:
                pass
        self.fail("does_not_exist", model=queryset.model._meta.verbose_name, slug_name=self.slug_field, value=value[:60])


def prefetch_natural_keys(fields, data):
    """Look up in one query the records that several fields name by the same key of the same model (a
    move's from and to locations), instead of one query per field; each field then takes its record from
    there (``NaturalKeyField.prefetched``). Only fields whose queryset has no filter of its own share."""
    groups = {}
    for name, field in fields.items():
        if type(field) is not NaturalKeyField or field.read_only or name not in data:
            continue
        value = field.key(data[name])
        queryset = field.get_queryset()
        if value is None or "\x00" in value or queryset.query.where or queryset.query.select_related:
            continue
        groups.setdefault((queryset.model, field.slug_field), []).append((field, value))
    for (_, slug), members in groups.items():
        if len(members) < 2:
            continue
        values = {value for _, value in members}
        queryset = members[0][0].get_queryset().filter(**{f"{slug}__in": values})
        found = dict.fromkeys(values) | {str(getattr(record, slug)): record for record in queryset}
        for field, _ in members:
            field.prefetched = found


class EnumField(serializers.ChoiceField):
    """A choice field documented as a named enum component (``WorkOrderStatusEnum``)
    so fields that share a name across resources never collide in the schema."""

    def __init__(self, choices, *, enum_name, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)

    def __deepcopy__(self, memo):
        # Each serializer instance copies its fields. The choices are a model's fixed list: shared by
        # every copy, not deep-copied; the rest as DRF copies it.
        kwargs = {
            key: value if key in ("choices", "validators") else copy.deepcopy(value, memo) for key, value in self._kwargs.items()
        }
        return self.__class__(*self._args, **kwargs)


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
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: [self.unknown_field_messages.get(key, "Unknown field; it cannot be set here.")] for key in unknown}
                )
            prefetch_natural_keys(self.fields, data)
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


# A natural key (a code, SKU or number) addresses its record in a URL path: no slash, no
# control characters, and not "." or ".." (which a URL resolves away). As a pattern, so the
# schema says it too.
def key_pattern(forbidden):
    """A pattern for a key with no character of ``forbidden`` (a character class's inside) that
    is not "." or ".." either."""
    char, first = f"[^{forbidden}]", f"[^.{forbidden}]"
    return rf"^(?:{first}{char}*|\.{first}{char}*|\.\.{char}+)$"


NATURAL_KEY_PATTERN = naturalkeys.PATTERN
# The same for a path parameter (anything but a slash; a control character finds no record: 404).
PATH_KEY_PATTERN = key_pattern("/")
natural_key_validator = naturalkeys.natural_key_validator


class NaturalKeyInputMixin:
    # For a serializer that writes natural keys (``natural_key_fields``): each must be usable
    # in a URL path, and the schema says so with a pattern. (A comment, not a docstring: the
    # schema would take it as each serializer's description.)

    natural_key_fields: tuple = ()

    def get_fields(self):
        fields = super().get_fields()
        for name in self.natural_key_fields:
            if natural_key_validator not in fields[name].validators:  # a model field brings its own
                fields[name].validators.append(natural_key_validator)
        return fields


# --- date and time -------------------------------------------------------------------------


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset, or without one on the plant's clock (``PLANT_TIME_ZONE``).

    A date and time at the very edge of the calendar (``9999-12-31T23:59:59``, ``0001-01-01T00:00``)
    cannot be moved to UTC or to the plant's clock: a field error, not an overflow later."""

    default_error_messages = {"out_of_range": CALENDAR_MESSAGE, "overflow": CALENDAR_MESSAGE}

    def to_internal_value(self, value):
        try:
            result = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range")
        result = within_calendar(result)
        if result is None:
            self.fail("out_of_range")
        return result

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("out_of_range")


# --- lists of rows: a BOM's lines, a routing's steps --------------------------------------


class RowListSerializer(serializers.ListSerializer):
    """A list of rows written as a whole (``lines``, ``steps``), at most the number the setting
    ``limit_setting`` allows. The count is checked before any row is, so an over-long list
    costs nothing; errors about the list are a list of messages, errors about rows one entry
    per row, like the input (``[{}, {"quantity_per": ["…"]}]``)."""

    def __init__(self, *args, limit_setting, noun, per, **kwargs):
        self.limit_setting = limit_setting
        self.noun = noun  # "lines"
        self.per = per  # "per BOM"
        super().__init__(*args, **kwargs)

    @property
    def max_length(self):
        return getattr(settings, self.limit_setting)

    @max_length.setter
    def max_length(self, value):
        """The limit is the setting's; DRF's constructor sets ``None`` here."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError([f"Give the {self.noun} as a list."], code="not_a_list")
        if len(data) > self.max_length:
            raise serializers.ValidationError(
                [f"At most {self.max_length} {self.noun} {self.per} ({self.limit_setting}); this list has {len(data)}."],
                code="max_length",
            )
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):  # DRF's {index: errors}: one entry per row instead
                rows = [exc.detail.get(index, {}) for index in range(len(data))]
                # A row that is no object at all ("lines": [null]) has messages, not fields.
                exc.detail = [row if isinstance(row, dict) else {"non_field_errors": row} for row in rows]
            raise


class RowListSerializerExtension(OpenApiSerializerFieldExtension):
    target_class = RowListSerializer
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        item = auto_schema._unwrap_list_serializer(field.child, direction)
        return {"type": "array", "items": item, "maxItems": field.max_length}
