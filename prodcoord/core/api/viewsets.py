"""Viewset base for resources whose writes go through service functions.

Input is validated by ``input_serializer_class`` (or ``serializer_class``),
the view calls ``service_create`` / ``service_update`` / ``service_delete``,
and the response is the output serializer over the record read back through
``get_queryset()`` (the resource's selector).
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from .schema import InputOutputAutoSchema


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` with the primary key as the last tie-breaker, so pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(f.lstrip("-") in ("pk", "id") for f in ordering):
            ordering.append("pk")
        return ordering


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    input_serializer_class = None
    schema = InputOutputAutoSchema()
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]

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
