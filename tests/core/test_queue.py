"""Follow-up work queued after a commit: a broker outage never undoes the committed change."""

import logging
from unittest import mock

import pytest
from django.db import transaction

from prodcoord.core.queue import enqueue_on_commit
from prodcoord.core.tasks import idempotency_keys_purge_task
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_before_the_commit_or_after_a_rollback(django_capture_on_commit_callbacks):
    with mock.patch.object(idempotency_keys_purge_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enqueue_on_commit(idempotency_keys_purge_task)
            apply_async.assert_not_called()
        assert len(callbacks) == 1
        with django_capture_on_commit_callbacks(execute=True) as rolled_back:
            try:
                with transaction.atomic():
                    enqueue_on_commit(idempotency_keys_purge_task)
                    raise RuntimeError("the change fails")
            except RuntimeError:
                pass
        assert rolled_back == []
        apply_async.assert_not_called()
        callbacks[0]()
    apply_async.assert_called_once_with(args=(), kwargs={}, retry=False)


def test_broker_down_does_not_undo_the_committed_change(django_capture_on_commit_callbacks, caplog):
    with (
        mock.patch.object(idempotency_keys_purge_task, "apply_async", side_effect=ConnectionError("redis down")),
        caplog.at_level(logging.WARNING, logger="prodcoord.core.queue"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        department = DepartmentFactory(code="MACH")
        enqueue_on_commit(idempotency_keys_purge_task)
    assert type(department).objects.filter(code="MACH").exists()  # the change stands
    assert "periodic run will pick it up" in caplog.text
