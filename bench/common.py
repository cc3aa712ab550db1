"""What the benchmarks share: a seeded PostgreSQL plant, gunicorn with the production settings, percentiles.

Each benchmark creates its own databases, named ``<prefix>_<scale>``; the prefix is
``prodcoord_bench`` unless ``BENCH_DB_PREFIX`` says otherwise (so two people
benchmarking on one server do not rebuild each other's plant).
"""

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "prodcoord_bench")


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def manage_env(url):
    """Environment for manage.py against the benchmark database (local settings, DEBUG off)."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "prodcoord.settings.local",
        "DEBUG": "false",
        "PRODCOORD_ALLOW_SEED": "1",
    }


def production_env(url, **extra):
    """Environment for gunicorn: the production settings over plain http on 127.0.0.1."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prodcoord.settings.production",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "HTTPS_ONLY": "false",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("DEBUG", None)
    return env


def database_name(scale, purpose=""):
    """``<prefix>_<scale>``, or ``<prefix>_<purpose>_<scale>`` for a plant that a benchmark writes to
    (the load benchmark's orders must not grow the plant the list benchmark reads)."""
    return f"{DB_PREFIX}_{purpose + '_' if purpose else ''}{scale}"


def prepare(scale, reuse, purpose="", name=None):
    """Create (or with ``reuse`` keep) the plant's database (``name``, or ``database_name``), migrate,
    seed it; returns (url, seed seconds or None)."""
    import psycopg

    db = name or database_name(scale, purpose)
    url = f"{PG}/{db}"
    env = manage_env(url)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db}"')
    seed_seconds = None
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    with psycopg.connect(url) as conn:
        count = conn.execute("SELECT count(*) FROM workorders_workorder").fetchone()[0]
    if count == 0:
        started = time.monotonic()
        out = run([PYTHON, "manage.py", "seed_plant", "--scale", str(scale)], env).stdout
        seed_seconds = time.monotonic() - started
        print(out.strip().splitlines()[-2], flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url, seed_seconds


def drop_database(name):
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cpu_seconds(pids):
    """User + system CPU seconds the processes have used so far (Linux /proc; gone processes count 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def children(pid):
    """The pids of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@contextmanager
def gunicorn(url, *, workers=2, worker_class="sync", threads=1, env=None):
    """gunicorn serving prodcoord with the production settings on a free port; yields the port
    (and sets ``gunicorn.pid`` to the master's pid)."""
    port = free_port()
    cmd = [GUNICORN, "prodcoord.wsgi", "-w", str(workers), "-k", worker_class, "-b", f"127.0.0.1:{port}"]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    cmd += ["--log-level", "warning", "--backlog", "2048"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=production_env(url, **(env or {})))
    gunicorn.pid = server.pid
    try:
        wait_for_port(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def machine_load():
    return round(os.getloadavg()[0], 2)


def cpu_yardstick():
    """Milliseconds of CPU a fixed piece of pure Python takes here (median of 5): the same code measures
    differently from one day to the next on shared cores, and this says how fast the machine was."""
    import statistics

    runs = []
    for _ in range(5):
        started = time.process_time()
        total = 0
        for i in range(300_000):
            total += (i * i) % 7
        str(sorted(str(i) for i in range(20_000)))
        runs.append((time.process_time() - started) * 1000)
    return round(statistics.median(runs), 1)


def write_table(lines, *, marker):
    """Put ``lines`` (a Markdown table) into docs/PERFORMANCE.md between ``<!-- marker:start -->`` and
    ``<!-- marker:end -->`` (appended at the end the first time), and print them."""
    doc = ROOT / "docs" / "PERFORMANCE.md"
    text = doc.read_text() if doc.exists() else ""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    table = start + "\n" + "\n".join(lines) + "\n" + end
    if start in text and end in text:
        text = text[: text.index(start)] + table + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + table + "\n"
    doc.write_text(text)
    print("\n".join(lines))
