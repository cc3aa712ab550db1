import json
from functools import partial

from django.conf import settings
from django.core.paginator import InvalidPage
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# The largest OFFSET (and LIMIT) PostgreSQL takes.
BIGINT_MAX = 2**63 - 1


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


class UnreadPagePagination(StandardPagination):
    """Pagination for a list whose page is built by one SQL statement of its own (PostgreSQL's
    JSON functions).

    ``page_json(queryset, request, build)`` checks the page number as ``paginate_queryset``
    does (same 404s), has ``build(page, counted)`` read the page (a sliced, unread queryset)
    and the count of ``counted`` in one statement, checks the page against that count and
    answers the usual ``{"count", "next", "previous", "results"}`` around the statement's JSON.
    ``page_queryset`` counts first and returns the page unread, for ``?page=last``."""

    def page_queryset(self, queryset, request):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        self.page = self._page(paginator, page_number)
        return self.page.object_list

    def page_json(self, queryset, request, build):
        self.request = request
        size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, size)
        page_number = request.query_params.get(self.page_query_param) or 1
        try:
            number = int(page_number)
        except (TypeError, ValueError):
            number = None
        if page_number in self.last_page_strings or number is None or number < 1:
            # The last page needs the count first; a malformed number is refused before any query.
            return self.get_paginated_json_response(build(self.page_queryset(queryset, request), None)[1])
        offset = (number - 1) * size
        if offset + size > BIGINT_MAX:
            # Past any list there can be, and past what PostgreSQL's OFFSET takes: the count
            # first, and the 404 a page past the end gets.
            return self.get_paginated_json_response(build(self.page_queryset(queryset, request), None)[1])
        count, results_json = build(queryset[offset : offset + size], queryset)
        paginator.count = count  # the count read with the page: the paginator asks no more
        self.page = self._page(paginator, number)
        return self.get_paginated_json_response(results_json)

    def _page(self, paginator, page_number):
        try:
            return paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=page_number, message=str(exc)))

    def get_paginated_json_response(self, results_json):
        head = {"count": self.page.paginator.count, "next": self.get_next_link(), "previous": self.get_previous_link()}
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"results":' + results_json + "}"
        return JSONTextResponse(text)


class JSONTextResponse(Response):
    """A response whose body is JSON text made elsewhere (by the database): sent as it is, not
    rendered again. ``.data`` parses it, for whoever asks (tests)."""

    def __init__(self, text, **kwargs):
        super().__init__(None, **kwargs)
        self.text = text

    @property
    def data(self):
        return json.loads(self.text) if self.text is not None else None

    @data.setter
    def data(self, value):
        pass  # Response.__init__ sets it; the body is the text

    @property
    def rendered_content(self):
        self["Content-Type"] = "application/json"
        return self.text.encode()
