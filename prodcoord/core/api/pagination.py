from functools import partial

from django.conf import settings
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``?page_size=`` is a whole number from 1 to ``API_MAX_PAGE_SIZE`` (500 unless configured).
    Anything else is refused (400, naming the limit) rather than silently replaced."""

    page_size = 50
    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        text = raw.strip()
        limit = self.max_page_size
        if not (text.isascii() and text.isdigit()) or not text.strip("0"):
            raise ValidationError({self.page_size_query_param: [f"Give a whole number from 1 to {limit}."]})
        text = text.lstrip("0")
        if len(text) > len(str(limit)) or int(text) > limit:
            raise ValidationError(
                {self.page_size_query_param: [f"At most {limit} results per page (API_MAX_PAGE_SIZE); ask for the next page."]}
            )
        return int(text)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["schema"]["maximum"] = self.max_page_size
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
