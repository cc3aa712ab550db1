"""A request id on every response and in every log line.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the ``X-Request-ID``
a proxy in front sent, if it looks like an id (letters, digits and ``._:+/=-``,
at most 128 characters), or makes one (32 hex digits), and sets it on the
response. ``RequestIdFilter`` puts it in every log record as
``%(request_id)s`` (``-`` outside a request), so every line a request causes —
Django's, ours, a task run in process — can be found by it.

A task queued during a request carries the id in its message headers, and the
worker logs the task's lines with it; a task with no request behind it (beat,
a retry queued by the worker) logs ``task-<task id>``.
"""

import contextvars
import logging
import re
import uuid

from celery import signals
from django.core.signals import request_finished

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
NONE = "-"
VALID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")

_current = contextvars.ContextVar("request_id", default=NONE)


def current():
    """The id of the request (or task) this code runs for; ``-`` when there is none."""
    return _current.get()


def valid(value):
    return bool(value) and VALID.fullmatch(value) is not None


def new_id():
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request.request_id = incoming if valid(incoming) else new_id()
        # Left set until the request is finished, so Django's own "django.request" lines
        # (logged after the middleware returns) carry it too.
        _current.set(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


def _forget(**kwargs):
    _current.set(NONE)


request_finished.connect(_forget, dispatch_uid="prodcoord.request_id.forget")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record; put it on the handlers whose format names it."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


# --- Celery ---------------------------------------------------------------------------------


@signals.before_task_publish.connect(dispatch_uid="prodcoord.request_id.publish")
def _add_to_message(headers=None, **kwargs):
    """A task queued while a request runs carries that request's id."""
    request_id = _current.get()
    if headers is not None and request_id != NONE:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens = {}


@signals.task_prerun.connect(dispatch_uid="prodcoord.request_id.prerun")
def _bind_to_task(task_id=None, task=None, **kwargs):
    # A worker sees the message's own headers; a task applied in process, the ones given to apply().
    sent = (getattr(task.request, "headers", None) or {}).get(TASK_HEADER) if task is not None else None
    if valid(sent):
        _task_tokens[task_id] = _current.set(sent)
    elif _current.get() == NONE:
        _task_tokens[task_id] = _current.set(f"task-{task_id}")
    # else: run in process (eagerly) during a request, which keeps its id.


@signals.task_postrun.connect(dispatch_uid="prodcoord.request_id.postrun")
def _unbind_from_task(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)


def _filter_handlers(logger=None, **kwargs):
    """Celery sets up the worker's and beat's own log handlers; give them the filter their format needs."""
    for handler in logger.handlers if logger is not None else ():
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


signals.after_setup_logger.connect(_filter_handlers, dispatch_uid="prodcoord.request_id.logger", weak=False)
signals.after_setup_task_logger.connect(_filter_handlers, dispatch_uid="prodcoord.request_id.task_logger", weak=False)
