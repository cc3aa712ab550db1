from functools import partial

from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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
