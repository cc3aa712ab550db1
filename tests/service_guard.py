"""Tests that need a real service (PostgreSQL, Redis, a Celery worker, a browser).

Outside CI a missing service skips the test with a clear reason. In CI
(``CI=true``) a missing service is a failure: those tests must run there.
"""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available, reason):
    """Skip (locally) or fail (in CI) when ``available`` is false."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} — required in CI (CI=true), so this is a failure, not a skip.", pytrace=False)
    pytest.skip(reason)
