"""A request id on every response and in every log line (prodcoord/core/request_id.py)."""

import io
import logging
import re

import pytest
from celery import shared_task

from prodcoord.core import request_id

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/work-orders/", "/no-such-page/", "/api/schema/"])
def test_every_response_carries_a_fresh_request_id(client, path):
    first = client.get(path)
    second = client.get(path)
    assert GENERATED.fullmatch(first["X-Request-ID"])
    assert GENERATED.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    "sent", ["7f3a2c1e9b8d4f60a1b2c3d4e5f60718", "req-2026-11-30.0001", "Root=1-67891233-abcdef012345678912345678"]
)
def test_an_id_sent_by_the_proxy_is_kept(client, sent):
    assert client.get("/accounts/login/", headers={"X-Request-ID": sent})["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent", ["", "two words", "x" * 129, "<script>alert(1)</script>", 'id" status=200', "ünïcode", "tab\there"]
)
def test_an_id_that_does_not_look_like_one_is_replaced(client, sent):
    assert GENERATED.fullmatch(client.get("/accounts/login/", headers={"X-Request-ID": sent})["X-Request-ID"])


@pytest.fixture
def console():
    """What the configured console handler writes, read back."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_every_log_line_of_a_request_names_it(client, console, make_user):
    client.force_login(make_user("viewer"))
    console.truncate(0)  # only the request's own lines
    console.seek(0)
    response = client.get("/work-orders/WO-NOPE/", headers={"X-Request-ID": "trace-404"})
    assert response.status_code == 404
    lines = console.getvalue().splitlines()
    assert any("django.request" in line and "Not Found" in line for line in lines), lines
    assert all("[trace-404]" in line for line in lines), lines


def test_lines_outside_a_request_say_so(console):
    logging.getLogger("prodcoord.test").warning("no request here")
    assert "[-] prodcoord.test: no request here" in console.getvalue()


@shared_task
def log_something_task():
    logging.getLogger("prodcoord.test").warning("task ran")
    return request_id.current()


def test_a_task_run_in_process_during_a_request_logs_the_requests_id(console):
    token = request_id._current.set("req-1")
    try:
        assert log_something_task.apply().get() == "req-1"
    finally:
        request_id._current.reset(token)
    assert "[req-1] prodcoord.test: task ran" in console.getvalue()


def test_a_task_queued_during_a_request_carries_its_id_to_the_worker():
    headers = {}
    token = request_id._current.set("req-2")
    try:
        request_id._add_to_message(headers=headers)
    finally:
        request_id._current.reset(token)
    assert headers == {"request_id": "req-2"}
    # in the worker, the task runs under the id it was sent with
    assert log_something_task.apply(headers={"request_id": "req-2"}).get() == "req-2"
    assert request_id.current() == "-"


def test_a_task_with_no_request_behind_it_logs_its_own_id():
    result = log_something_task.apply(task_id="abc123")
    assert result.get() == "task-abc123"
    assert request_id.current() == "-"
