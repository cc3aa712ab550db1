"""The recorded query counts (tests/query_baseline.py): every list endpoint has one, and a change either way fails."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from tests.query_baseline import BASELINE_FILE, BASELINES_KEY, VENDORS, Baselines

API_URLCONFS = [
    "prodcoord.events.api.urls",
    "prodcoord.notifications.api.urls",
    "plant.api.urls",
    "materials.api.urls",
    "workorders.api.urls",
]


def api_list_cases():
    """``api: <prefix> list`` for every router list, and for every extra GET action on one object."""
    from importlib import import_module

    cases = []
    for module in API_URLCONFS:
        for prefix, viewset, _basename in import_module(module).router.registry:
            if hasattr(viewset, "list"):
                cases.append(f"api: {prefix} list")
            lookup = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
            for action in viewset.get_extra_actions():
                if action.detail and "get" in action.mapping:
                    cases.append(f"api: {prefix}/{{{lookup}}}/{action.url_path} list")
    return cases


def test_every_api_list_endpoint_has_a_recorded_query_count():
    stored = json.loads(BASELINE_FILE.read_text())
    cases = api_list_cases()
    assert "api: work-orders/{number}/holds list" in cases
    assert len(cases) >= 10
    missing = [case for case in cases if case not in stored]
    assert missing == [], "a list endpoint without a baselined test (use assert_query_baseline with this name)"


def test_every_recorded_count_is_a_count_or_one_per_vendor():
    for name, entry in json.loads(BASELINE_FILE.read_text()).items():
        if isinstance(entry, dict):
            assert set(entry) <= set(VENDORS) and entry, name
            assert len(entry) == 1 or len(set(entry.values())) == 2, f"{name}: equal counts are stored once"
            counts = entry.values()
        else:
            counts = [entry]
        assert all(isinstance(c, int) and c > 0 for c in counts), name


# --- the fixture ------------------------------------------------------------------


@pytest.fixture
def baselines(request, tmp_path):
    """A baseline file of its own for the test, in place of tests/query_counts.json."""
    path = tmp_path / "query_counts.json"
    path.write_text(json.dumps({"two queries": 2, "per vendor": {connection.vendor: 1, "other": 5}}))
    saved = request.config.stash[BASELINES_KEY]
    request.config.stash[BASELINES_KEY] = Baselines(path, recording=False)
    yield request.config.stash[BASELINES_KEY]
    request.config.stash[BASELINES_KEY] = saved


def two_queries():
    list(User.objects.all())
    list(Group.objects.all())


def test_the_recorded_count_passes(baselines, assert_query_baseline):
    with assert_query_baseline("two queries"):
        two_queries()
    with assert_query_baseline("per vendor"):
        list(User.objects.all())


@pytest.mark.parametrize(("queries", "direction"), [(3, "1 more"), (1, "1 fewer")])
def test_a_count_that_differs_either_way_fails_with_the_queries_and_how_to_re_record(
    baselines, assert_query_baseline, queries, direction
):
    with pytest.raises(pytest.fail.Exception) as failure, assert_query_baseline("two queries"):
        for n in range(queries):
            list(User.objects.filter(username=f"n{n}"))
    message = str(failure.value)
    assert f"'two queries' made {queries} queries on {connection.vendor}; 2 are recorded ({direction}" in message
    assert message.count('FROM "auth_user"') == queries
    assert "make test-record-queries" in message and "--record-query-counts" in message


def test_a_case_with_no_recorded_count_fails_the_same_way(baselines, assert_query_baseline):
    with pytest.raises(pytest.fail.Exception) as failure, assert_query_baseline("a new list"):
        two_queries()
    message = str(failure.value)
    assert f"No query count is recorded for 'a new list' on {connection.vendor} (this run made 2)" in message
    assert "make test-record-queries" in message


def test_recording_keeps_one_count_while_the_vendors_agree(tmp_path):
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"same": 4, "changed": 4, "split": {"sqlite": 3, "postgresql": 4}}))
    baselines = Baselines(path, recording=True)
    baselines.record("same", "sqlite", 4)
    baselines.record("changed", "sqlite", 5)  # only SQLite changed (so far): the counts split
    baselines.record("split", "sqlite", 4)  # now equal again: one count
    baselines.record("new", "postgresql", 7)  # recorded on one vendor: the other still has to record it
    baselines.write()
    assert json.loads(path.read_text()) == {
        "same": 4,
        "changed": {"sqlite": 5, "postgresql": 4},
        "split": 4,
        "new": {"postgresql": 7},
    }
    fresh = Baselines(path, recording=False)
    assert (fresh.expected("changed", "postgresql"), fresh.expected("new", "sqlite")) == (4, None)
