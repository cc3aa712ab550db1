from functools import partial

from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``?page_size=`` is a whole number from 1; more than 500 reads as 500.
    Anything else is refused (400) rather than silently replaced by the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        text = raw.strip()
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise ValidationError({self.page_size_query_param: ["Give a whole number from 1 to 500."]})
        return min(int(text), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = f"Results per page: {self.page_size} unless given, at most {self.max_page_size}."
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class TransformingDjangoPaginator(DjangoPaginator):
    """Counts the queryset as given, then reads each page through ``transform``
    (e.g. ``.values(...)`` with joins the count does not need)."""

    def __init__(self, object_list, per_page, *args, transform=None, **kwargs):
        self.transform = transform
        super().__init__(object_list, per_page, *args, **kwargs)

    def _get_page(self, object_list, *args, **kwargs):
        if self.transform is not None:
            object_list = self.transform(object_list)
        return super()._get_page(object_list, *args, **kwargs)


def paginate_rows(view, queryset, transform):
    """``view.paginate_queryset`` with the page read through ``transform``."""
    paginator = view.paginator
    paginator.django_paginator_class = partial(TransformingDjangoPaginator, transform=transform)
    return view.paginate_queryset(queryset)
