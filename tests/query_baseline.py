"""Exact query counts for list pages and list endpoints, recorded in ``tests/query_counts.json``.

A test measures a request with the ``assert_query_baseline`` fixture::

    with assert_query_baseline("api: work-orders list"):
        response = client.get("/api/v1/work-orders/")

and fails when the number of queries differs from the recorded one in either
direction: more is an N+1 creeping in, fewer is a saving to keep. A case that
has no recorded count fails the same way, so a new list endpoint must record
its count. Re-record on purpose, with xdist off (the file is written by one
process), on SQLite and then on PostgreSQL::

    make test-record-queries
    # or, for one database: pytest -n0 -m query_baseline --record-query-counts

A case is an explicit name, not a node id, so renaming or moving a test keeps
its count. The file maps each name to a count, or to one count per database
vendor when SQLite and PostgreSQL differ::

    {"api: holds list": 5, "page: home": {"postgresql": 9, "sqlite": 8}}

Recording on one vendor splits a shared count that changed there and merges
the two again once they agree.

ContentType lookups are cached per process, so each measurement starts with
that cache empty: the count does not depend on which tests ran before in the
same process (or xdist worker).
"""

import json
from contextlib import contextmanager
from pathlib import Path

import pytest

BASELINE_FILE = Path(__file__).with_name("query_counts.json")
VENDORS = ("postgresql", "sqlite")
OPTION = "--record-query-counts"
RECORD_HINT = (
    "If the change is intended, re-record the counts (xdist off, SQLite and PostgreSQL): "
    "`make test-record-queries`, or for one database "
    f"`pytest -n0 -m query_baseline {OPTION}` — and commit tests/query_counts.json."
)
MAX_SQL_SHOWN = 400
BASELINES_KEY = pytest.StashKey["Baselines"]()


def pytest_addoption(parser):
    parser.getgroup("prodcoord").addoption(
        OPTION,
        action="store_true",
        default=False,
        help="Write the query counts measured by assert_query_baseline to tests/query_counts.json instead of "
        "comparing them (needs -n0).",
    )


def pytest_configure(config):
    recording = config.getoption("record_query_counts", False)
    if recording and config.getoption("dist", "no") != "no":
        raise pytest.UsageError(f"{OPTION} writes {BASELINE_FILE.name} from one process: run it with -n0.")
    config.stash[BASELINES_KEY] = Baselines(BASELINE_FILE, recording=recording)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "assert_query_baseline" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.query_baseline)


def pytest_sessionfinish(session):
    baselines = session.config.stash.get(BASELINES_KEY, None)
    if baselines is not None and baselines.recording and baselines.measured:
        baselines.write()


def pytest_terminal_summary(terminalreporter, config):
    baselines = config.stash.get(BASELINES_KEY, None)
    if baselines is None or not baselines.recording:
        return
    write = terminalreporter.write_line
    terminalreporter.section("query counts recorded")
    if not baselines.measured:
        write(f"No test measured a query count; {BASELINE_FILE.name} is unchanged.")
        return
    for name, (vendor, count) in sorted(baselines.measured.items()):
        write(f"{vendor:<10} {count:>3}  {name}")
    write(f"→ {BASELINE_FILE}")
    unused = sorted(set(baselines.stored) - set(baselines.measured))
    if unused:
        write("Cases in the file that no test measured in this run (remove them if their test is gone):")
        for name in unused:
            write(f"    {name}")


class Baselines:
    def __init__(self, path, *, recording):
        self.path = path
        self.recording = recording
        self._stored = None
        self.measured = {}  # name -> (vendor, count), this session
        self.owners = {}  # name -> node id that measured it, this session

    @property
    def stored(self):
        if self._stored is None:
            self._stored = json.loads(self.path.read_text()) if self.path.exists() else {}
        return self._stored

    def expected(self, name, vendor):
        entry = self.stored.get(name)
        if isinstance(entry, dict):
            return entry.get(vendor)
        return entry

    def record(self, name, vendor, count):
        self.measured[name] = (vendor, count)
        entry = self.stored.get(name)
        if entry is None:
            entry = {vendor: count}
        elif isinstance(entry, int):
            # One count shared by both vendors: it stays shared unless this vendor now differs.
            entry = entry if entry == count else {**dict.fromkeys(VENDORS, entry), vendor: count}
        else:
            entry = {**entry, vendor: count}
        if isinstance(entry, dict) and set(entry) == set(VENDORS) and len(set(entry.values())) == 1:
            entry = count
        self.stored[name] = entry

    def write(self):
        text = json.dumps(dict(sorted(self.stored.items())), indent=2, sort_keys=True)
        self.path.write_text(text + "\n")


def _describe(queries):
    lines = []
    for number, query in enumerate(queries, 1):
        sql = " ".join(query["sql"].split())
        if len(sql) > MAX_SQL_SHOWN:
            sql = sql[:MAX_SQL_SHOWN] + " …"
        lines.append(f"  {number}. {sql}")
    return "\n".join(lines) or "  (none)"


@pytest.fixture
def assert_query_baseline(request, db):
    """``with assert_query_baseline("name"): ...`` — the block makes exactly the recorded number of queries."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def measure(name):
        baselines = request.config.stash[BASELINES_KEY]
        owner = baselines.owners.setdefault(name, request.node.nodeid)
        if owner != request.node.nodeid:
            pytest.fail(f"Query count case {name!r} is measured by two tests: {owner} and {request.node.nodeid}.")
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as captured:
            yield captured
        vendor, count = connection.vendor, len(captured.captured_queries)
        if baselines.recording:
            baselines.record(name, vendor, count)
            return
        expected = baselines.expected(name, vendor)
        if expected == count:
            return
        if expected is None:
            problem = f"No query count is recorded for {name!r} on {vendor} (this run made {count})."
        else:
            direction = "more" if count > expected else "fewer"
            problem = (
                f"{name!r} made {count} queries on {vendor}; {expected} are recorded "
                f"({abs(count - expected)} {direction} than the baseline)."
            )
        pytest.fail(f"{problem}\nThe queries:\n{_describe(captured.captured_queries)}\n{RECORD_HINT}", pytrace=False)

    return measure
