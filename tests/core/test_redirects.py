"""``safe_next``: a form goes back only to a page of this site."""

import pytest
from django.test import RequestFactory

from prodcoord.core.redirects import safe_next


@pytest.mark.parametrize(
    ("sent", "within", "expected"),
    [
        ("/board/?status=held", "/", "/board/?status=held"),
        ("https://evil.example/board/", "/", "back"),
        ("//evil.example/board/", "/", "back"),
        ("/\\evil.example/", "/", "back"),
        ("javascript:alert(1)", "/", "back"),
        ("board", "/", "back"),
        ("", "/", "back"),
        ("/floor/pick/", "/floor/", "/floor/pick/"),
        ("/board/", "/floor/", "back"),  # floor mode never leaves floor mode
    ],
)
def test_only_this_sites_own_pages_are_followed(sent, within, expected):
    request = RequestFactory().post("/x/", {"next": sent})
    assert safe_next(request, "back", within=within) == expected


def test_the_url_may_carry_it_too():
    assert safe_next(RequestFactory().get("/x/", {"next": "/schedule/"}), "back") == "/schedule/"
