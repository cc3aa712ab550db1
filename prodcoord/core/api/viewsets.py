"""Viewset base for resources whose writes go through service functions.

Input is validated by ``input_serializer_class`` (or ``serializer_class``),
the view calls ``service_create`` / ``service_update`` / ``service_delete``,
and the response is the output serializer over the record read back through
``get_queryset()`` (the resource's selector).
"""

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from .schema import InputOutputAutoSchema


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the FilterSet's filters
    (building the FilterSet's form costs close to a millisecond on a hot list)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not any(name in request.query_params for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` by the fields the view lists (``-`` for descending), comma-separated or
    repeated, with the primary key as the last tie-breaker so pages never overlap. An unknown
    field is a 400, not silently ignored; the schema lists the values."""

    def get_ordering(self, request, queryset, view):
        terms = [
            term.strip()
            for value in request.query_params.getlist(self.ordering_param)
            for term in value.split(",")
            if term.strip()
        ]
        if not terms:
            ordering = list(self.get_default_ordering(view) or [])
        else:
            ordering = self._valid_ordering(terms, self.ordering_values(queryset, view, request))
        if ordering and not self._is_unique(queryset.model, ordering[-1].lstrip("-")):
            ordering.append("pk")
        return ordering

    def ordering_values(self, queryset, view, request=None):
        """Every value ``?ordering=`` takes: each field, ascending and descending."""
        fields = [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]
        return [value for field in fields for value in (field, f"-{field}")]

    def _valid_ordering(self, terms, allowed):
        unknown = [term for term in terms if term not in allowed]
        if unknown:
            shown = ", ".join(f"“{term[:40]}”" for term in unknown[:3])
            raise ValidationError(
                {self.ordering_param: [f"Cannot order by {shown}; use one of: {', '.join(allowed)} (comma-separated)."]}
            )
        ordering, seen = [], set()
        for term in terms:  # the first mention of a field decides; repeats add nothing
            if term.lstrip("-") not in seen:
                seen.add(term.lstrip("-"))
                ordering.append(term)
        return ordering

    def get_schema_operation_parameters(self, view):
        values = self.ordering_values(view.get_queryset(), view)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by these fields, in order (comma-separated); `-` sorts descending.",
                "schema": {"type": "array", "items": {"type": "string", "enum": values}},
                "style": "form",
                "explode": False,
            }
        ]

    @staticmethod
    def _is_unique(model, name):
        if name == "pk" or "__" in name:
            return name == "pk"
        try:
            return model._meta.get_field(name).unique
        except FieldDoesNotExist:
            return False


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    input_serializer_class = None
    schema = InputOutputAutoSchema()
    # Any path segment reaches the view, so a malformed id ("0.5") is the API's JSON 404,
    # not the site's HTML page.
    lookup_value_regex = "[^/]+"
    filter_backends = [FilterBackend, StableOrderingFilter]
    url_object = None  # the record get_object() found

    def get_object(self):
        # No record's key holds a NUL (PostgreSQL refuses to even compare one): 404, not 500.
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise NotFound()
        self.url_object = super().get_object()
        return self.url_object

    def handle_exception(self, exc):
        # The record the URL names was found, then deleted by someone else before the
        # service locked it (or read it back): still a 404. Any other DoesNotExist is a bug.
        if isinstance(exc, ObjectDoesNotExist) and self._url_object_deleted(exc):
            exc = NotFound(f"This {self.url_object._meta.verbose_name} no longer exists; it was deleted meanwhile.")
        return super().handle_exception(exc)

    def _url_object_deleted(self, exc):
        obj = self.url_object
        if obj is None or not isinstance(exc, type(obj).DoesNotExist):
            return False
        return not type(obj)._base_manager.filter(pk=obj.pk).exists()

    def get_input_serializer(self, *args, **kwargs):
        cls = self.input_serializer_class or self.get_serializer_class()
        kwargs.setdefault("context", self.get_serializer_context())
        return cls(*args, **kwargs)

    def validated_input(self, *, instance=None, partial=False):
        serializer = self.get_input_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def validated_input_for(self, serializer_class, *, partial=False):
        """The request body validated by ``serializer_class``."""
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def output(self, obj):
        fresh = self.get_queryset().get(pk=obj.pk)
        return self.get_serializer(fresh).data


class ServiceCreateMixin:
    def create(self, request, *args, **kwargs):
        obj = self.service_create(actor=request.user, data=self.validated_input())
        return Response(self.output(obj), status=status.HTTP_201_CREATED)


class ServiceUpdateMixin:
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        obj = self.service_update(
            actor=request.user, instance=instance, data=self.validated_input(instance=instance, partial=partial)
        )
        return Response(self.output(obj))

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)


class ServiceDestroyMixin:
    def destroy(self, request, *args, **kwargs):
        self.service_delete(actor=request.user, instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceCRUDViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceDestroyMixin, ServiceViewSet):
    """List, retrieve, create, update and delete, all writes through services."""
