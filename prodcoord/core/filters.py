"""Building blocks for the per-resource FilterSets (shared by the API and the HTML lists)."""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

from .plant_time import CALENDAR_MESSAGE, within_calendar

TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off"}


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or 1/0, yes/no); anything else is an error, not "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError("Use true or false.", code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class PlantTimeMixin:
    """Reads any valid offset (``+23:00`` included) and hands the database the same
    instant in the plant's time zone, which every database accepts."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        # At the edge of the calendar the database cannot take it once moved to UTC.
        if within_calendar(value) is None:
            raise ValidationError(CALENDAR_MESSAGE, code="overflow")
        return timezone.localtime(within_calendar(value)) if timezone.is_aware(value) else value


class PlantDateTimeField(PlantTimeMixin, forms.DateTimeField):
    pass


class PlantIsoDateTimeField(PlantTimeMixin, IsoDateTimeField):
    pass


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = PlantDateTimeField


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = PlantIsoDateTimeField


class CommaSeparatedMultipleWidget(forms.SelectMultiple):
    """Reads ``?status=a&status=b`` and ``?status=a,b`` alike."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return []
        if isinstance(values, str):
            values = [values]
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """Any of several choices, comma-separated or repeated. No DISTINCT: it filters a plain column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommaSeparatedMultipleWidget)
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose boolean filters refuse values other than true/false, and whose
    date/time filters accept any offset."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
    }


class SearchFilterSet(FilterSet):
    """Adds ``search``: a case-insensitive substring match on ``search_fields``."""

    search_fields: tuple = ()

    search = django_filters.CharFilter(method="filter_search", label="Search")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": value}) for field in self.search_fields)))
