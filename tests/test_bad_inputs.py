"""Bad inputs and environment faults, one table: each is refused with a message.

Every row runs the real command line (in-process) and asserts its exit code, that stderr
starts with seedbed's message naming the object (needles), that there is a hint (the next
step), that no traceback leaks, and that nothing was written: the target is exactly as it
was before (a SQLite file absent or byte-identical, a server database's tables and row
counts unchanged) and no manifest file appeared.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.test_cli_errors import assert_refused, cli

GOOD_DDL = """
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id));
"""
MYSQL_DDL = "CREATE TABLE `a` (`id` int AUTO_INCREMENT PRIMARY KEY, `n` varchar(10)) ENGINE=InnoDB;\n"
SMALL_KEY_DDL = "CREATE TABLE tiny (id smallint PRIMARY KEY, name text);\n"


@dataclass
class Case:
    id: str
    args: list[str]  # {db} {tmp} {pg} {my} are filled in
    needles: tuple[str, ...]
    code: int = 2
    hint: str | None = ""  # "" : some hint; None: none required
    files: dict[str, str] = field(default_factory=dict)  # written under tmp before the run
    setup: Callable[[Path, dict[str, str]], None] | None = None
    env: dict[str, str] = field(default_factory=dict)


def _seeded_sqlite(tmp: Path, urls: dict[str, str]) -> None:
    """tmp/seeded.db holds a completed run of scale-seed seed 1 at scale 0.001."""
    out = cli("seed", "--recipe", "scale-seed", "--db", f"sqlite:///{tmp / 'seeded.db'}", "--scale", "0.001", "-q",
              "--manifest-dir", tmp / "setup-runs")  # fmt: skip
    assert out.code == 0, out.output


def _not_a_database(tmp: Path, urls: dict[str, str]) -> None:
    (tmp / "junk.db").write_text("this is not a database\n")


def _locked(tmp: Path, urls: dict[str, str]) -> None:
    from seedbed.sinks import open_sink
    from seedbed.sinks.lock import FileLock

    _seeded_sqlite(tmp, urls)
    sink = open_sink(f"sqlite:///{tmp / 'seeded.db'}")
    sink.close()
    lock = FileLock(str((tmp / "seeded.db").resolve()))
    assert lock.acquire("seedbed seed (a test)")
    urls["_lock"] = lock  # type: ignore[assignment]  # held until the case ends


PLAN_UNKNOWN_TABLE = "name: p\ntables:\n  nosuch: {rows: 5}\n"
PLAN_UNKNOWN_COLUMN = "name: p\ntables:\n  users:\n    columns:\n      nosuch: {choices: [a]}\n"
PLAN_BAD_GENERATOR = "name: p\ntables:\n  users:\n    columns:\n      name: {nosuchgen: 1}\n"
PLAN_BAD_ROWS = "name: p\ntables:\n  users: {rows: -4}\n"
PLAN_ROWS_TEXT = "name: p\ntables:\n  users: {rows: many}\n"
PLAN_UNKNOWN_KEY = "name: p\nbogus: 1\n"
PLAN_BAD_YAML = "name: p\ntables: [unclosed\n"
PLAN_BAD_CHOICES = "name: p\ntables:\n  users:\n    columns:\n      name: {choices: 5}\n"

CASES = [
    # -- options ---------------------------------------------------------------------------
    Case("unknown recipe", ["seed", "--recipe", "scale-sed", "--db", "{db}"], ("scale-sed",), hint="scale-seed"),
    Case("scale zero", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--scale", "0"], ("--scale",)),
    Case("scale negative", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--scale", "-2"], ("--scale",)),
    Case("rows negative", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--rows", "-1"], ("--rows",), hint=None),
    Case("chunk size zero", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--chunk-size", "0"], ("--chunk-size",),
         hint=None),
    Case("max rows negative", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--max-rows", "-5"], ("--max-rows",),
         hint=None),
    Case("wait negative", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--wait", "-1"], ("--wait",), hint=None),
    Case("unknown profile", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--profile", "hugee"], ("hugee",)),
    Case("unknown locale", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--locale", "xx_XX"], ("xx_XX",)),
    Case("unknown dialect", ["seed", "--ddl", "{tmp}/s.sql", "--dialect", "oracle", "--db", "{db}"], ("oracle",),
         files={"s.sql": GOOD_DDL}),
    Case("dialect without ddl", ["seed", "--recipe", "scale-seed", "--dialect", "mysql", "--db", "{db}"],
         ("--dialect",)),
    Case("recipe and plan", ["seed", "--recipe", "scale-seed", "--plan", "{tmp}/p.yaml", "--db", "{db}"],
         ("--recipe",), files={"p.yaml": "name: p\n"}),
    Case("no database", ["seed", "--recipe", "scale-seed"], ("no database given",), hint="SEEDBED_DB_URL"),
    Case("db and db-env", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--db-env", "X_URL"], ("--db-env",),
         hint=None),
    Case("db-env unset", ["seed", "--recipe", "scale-seed", "--db-env", "SEEDBED_TEST_UNSET_URL"],
         ("SEEDBED_TEST_UNSET_URL",), hint="export"),
    Case("rows over the default limit", ["seed", "--ddl", "{tmp}/s.sql", "--db", "{db}", "--rows", "1000000000",
                                         "--create-schema"],
         ("above the limit of 50,000,000 rows", "seedbed's default"), hint="--max-rows", files={"s.sql": GOOD_DDL}),
    Case("unknown --table", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--table", "usres"], ("usres",),
         hint="users"),
    Case("rows over --max-rows", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--max-rows", "10"],
         ("above the limit of 10 rows", "--max-rows"), hint="--max-rows"),
    Case("key type too small", ["seed", "--ddl", "{tmp}/t.sql", "--db", "{db}", "--rows", "100000",
                                "--create-schema"], ("tiny", "smallint key id holds only 32,767"),
         hint="widen the key", files={"t.sql": SMALL_KEY_DDL}),  # fmt: skip
    # -- plan files --------------------------------------------------------------------------
    Case("plan file missing", ["seed", "--plan", "{tmp}/none.yaml", "--db", "{db}"], ("none.yaml",), hint=None),
    Case("plan not YAML", ["seed", "--plan", "{tmp}/p.yaml", "--db", "{db}"], ("p.yaml",), hint=None,
         files={"p.yaml": PLAN_BAD_YAML}),
    Case("plan unknown key", ["seed", "--plan", "{tmp}/p.yaml", "--db", "{db}"], ("bogus",), hint=None,
         files={"p.yaml": PLAN_UNKNOWN_KEY}),
    Case("plan file empty", ["seed", "--plan", "{tmp}/p.yaml", "--db", "{db}"], ("p.yaml", "empty"),
         hint="tables:", files={"p.yaml": "# to be written\n"}),
    Case("plan unknown table", ["seed", "--plan", "{tmp}/p.yaml", "--ddl", "{tmp}/s.sql", "--db", "{db}"],
         ("nosuch",), hint=None, files={"p.yaml": PLAN_UNKNOWN_TABLE, "s.sql": GOOD_DDL}),
    Case("plan unknown column", ["seed", "--plan", "{tmp}/p.yaml", "--ddl", "{tmp}/s.sql", "--db", "{db}"],
         ("nosuch",), hint=None, files={"p.yaml": PLAN_UNKNOWN_COLUMN, "s.sql": GOOD_DDL}),
    Case("plan unknown generator", ["seed", "--plan", "{tmp}/p.yaml", "--ddl", "{tmp}/s.sql", "--db", "{db}"],
         ("nosuchgen",), hint=None, files={"p.yaml": PLAN_BAD_GENERATOR, "s.sql": GOOD_DDL}),
    Case("plan negative rows", ["seed", "--plan", "{tmp}/p.yaml", "--ddl", "{tmp}/s.sql", "--db", "{db}"],
         ("rows",), hint=None, files={"p.yaml": PLAN_BAD_ROWS, "s.sql": GOOD_DDL}),
    Case("plan rows not a number", ["seed", "--plan", "{tmp}/p.yaml", "--ddl", "{tmp}/s.sql", "--db", "{db}"],
         ("rows",), hint=None, files={"p.yaml": PLAN_ROWS_TEXT, "s.sql": GOOD_DDL}),
    Case("plan bad choices", ["seed", "--plan", "{tmp}/p.yaml", "--ddl", "{tmp}/s.sql", "--db", "{db}"],
         ("choices",), hint=None, files={"p.yaml": PLAN_BAD_CHOICES, "s.sql": GOOD_DDL}),
    # -- DDL files ---------------------------------------------------------------------------
    Case("DDL file missing", ["seed", "--ddl", "{tmp}/none.sql", "--db", "{db}"], ("none.sql",), hint=None),
    Case("DDL in the wrong dialect", ["seed", "--ddl", "{tmp}/m.sql", "--dialect", "postgres", "--db", "{db}",
                                      "--create-schema"], ("m.sql", "as postgres"), hint="--dialect mysql",
         files={"m.sql": MYSQL_DDL}),  # fmt: skip
    Case("DDL with no table", ["seed", "--ddl", "{tmp}/e.sql", "--db", "{db}"], ("e.sql",),
         files={"e.sql": "CREATE TABLE ;\nSELECT 1;\n"}),
    # -- where the data goes -------------------------------------------------------------
    Case("unknown URL scheme", ["seed", "--recipe", "scale-seed", "--db", "oracle://u@h/d"], ("oracle://",)),
    Case("SQLite folder missing", ["seed", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/no/such/x.db"],
         ("x.db",)),
    Case("SQLite not a database", ["seed", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/junk.db"],
         ("junk.db", "not a SQLite database"), setup=_not_a_database),
    Case("SQLite read-only", ["seed", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/seeded.db?mode=ro",
                              "--seed", "2", "--scale", "0.001"], ("read-only",), setup=_seeded_sqlite),  # fmt: skip
    Case("manifest folder is a file", ["seed", "--recipe", "scale-seed", "--db", "{db}", "--manifest-dir",
                                       "{tmp}/f.txt/runs"], ("f.txt",), files={"f.txt": "x"}),  # fmt: skip
    Case("another run holds the lock", ["seed", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/seeded.db",
                                        "--seed", "2", "--scale", "0.001"],
         ("Another seeding operation is in progress", "a test"), code=75, hint="--wait", setup=_locked),  # fmt: skip
    Case("seed exists at a larger scale", ["seed", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/seeded.db",
                                           "--scale", "0.0005"], ("already in this database",), hint="purge",
         setup=_seeded_sqlite),  # fmt: skip
    Case("verify a seed never run", ["verify", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/seeded.db",
                                     "--seed", "9"], ("no run",), setup=_seeded_sqlite),  # fmt: skip
    Case("purge a seed never run", ["purge", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/seeded.db",
                                    "--seed", "9"], ("no run",), setup=_seeded_sqlite),  # fmt: skip
    Case("verify no database file", ["verify", "--recipe", "scale-seed", "--db", "sqlite:///{tmp}/none.db"],
         ("none.db",)),
    Case("export format", ["export", "--recipe", "scale-seed", "--out", "{tmp}/out", "--format", "xls"], ("xls",)),
    Case("export into a file", ["export", "--recipe", "scale-seed", "--out", "{tmp}/f.txt", "--scale", "0.001"],
         ("f.txt",), files={"f.txt": "x"}),
    Case("init without a database", ["init"], ("nothing to describe",)),
    Case("plan without a source", ["plan"], ("nothing to plan",)),
    # -- servers ---------------------------------------------------------------------------
    Case("PostgreSQL port not a number", ["seed", "--recipe", "scale-seed", "--db", "postgresql://u@127.0.0.1:abc/d"],
         ("port is not a number",), hint="digits"),
    Case("PostgreSQL nothing listening", ["seed", "--recipe", "scale-seed", "--db", "postgresql://postgres@127.0.0.1:1/x"],
         ("127.0.0.1:1",), hint="PostgreSQL runs"),
    Case("PostgreSQL no such database", ["seed", "--recipe", "scale-seed", "--db", "{pgbase}/sb_no_such_db"],
         ("no database sb_no_such_db",), hint="createdb"),
    Case("PostgreSQL no such user", ["seed", "--recipe", "scale-seed", "--db", "{pguser}"], ("no user",),
         hint="user"),
    Case("PostgreSQL password never shown", ["seed", "--recipe", "scale-seed", "--db",
                                             "postgresql://u:s3cr@t-pw@127.0.0.1:1/x"], ("127.0.0.1",),
         hint="PostgreSQL"),  # fmt: skip
    Case("MySQL no such database", ["seed", "--recipe", "scale-seed", "--db", "{mybase}/sb_no_such_db"],
         ("sb_no_such_db",)),
    Case("MySQL wrong password", ["seed", "--recipe", "scale-seed", "--db", "{mywrong}"], ("1045",),
         hint="password"),
    Case("MySQL nothing listening", ["seed", "--recipe", "scale-seed", "--db", "mysql://root@127.0.0.1:1/x"],
         ("127.0.0.1",)),
]  # fmt: skip


def _fingerprint(tmp: Path) -> dict[str, str]:
    """Every file under tmp (the SQLite targets, manifests) with its content's digest."""
    return {
        str(p.relative_to(tmp)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(tmp.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def servers() -> dict[str, str]:
    from tests.conftest import MYSQL_URL, PG_URL

    pg_base = PG_URL.rsplit("/", 1)[0]
    my_base = MYSQL_URL.rsplit("/", 1)[0]
    return {
        "pgbase": pg_base,
        "pguser": pg_base.replace("postgres@", "sb_nobody@", 1) + "/test",
        "mybase": my_base,
        "mywrong": my_base.replace("root@", "root:wrong-pw@", 1) + "/test",
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_with_a_message_and_nothing_written(case: Case, tmp_path: Path, servers, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in case.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    held: dict[str, str] = {}
    if case.setup:
        case.setup(tmp_path, held)
    fill = {"db": f"sqlite:///{tmp_path / 'target.db'}", "tmp": str(tmp_path), **servers}
    args = [a.format(**fill) for a in case.args]
    before = _fingerprint(tmp_path)
    before.pop("seeded.db-seedbed-lock", None)  # the lock a case holds: released after it
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    try:
        run = cli(*args)
    finally:
        lock = held.get("_lock")
        if lock is not None:
            lock.release()  # type: ignore[attr-defined]
    assert_refused(run, *case.needles, hint=None if case.hint is None else case.hint, code=case.code)
    if case.hint == "":
        assert "hint:" in run.flat_err, f"no next step in:\n{run.stderr}"
    for secret in ("s3cr@t-pw", "s3cr", "t-pw", "wrong-pw"):
        assert secret not in run.output, f"a password shows: {run.output}"
    after = _fingerprint(tmp_path)
    after.pop("seeded.db-seedbed-lock", None)
    assert after == before, "something was written"


def test_the_table_has_at_least_fifty_cases():
    assert len(CASES) >= 50 and len({c.id for c in CASES}) == len(CASES)


def test_the_url_can_come_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("SEEDBED_DB_URL", url)
    run = cli("seed", "--recipe", "scale-seed", "--scale", "0.001", "-q")
    assert run.code == 0, run.output
    monkeypatch.delenv("SEEDBED_DB_URL")
    monkeypatch.setenv("MY_APP_DB", url)
    run = cli("verify", "--recipe", "scale-seed", "--db-env", "MY_APP_DB")
    assert run.code == 0, run.output
    assert os.path.exists(tmp_path / "env.db")


# -- rights on a server ----------------------------------------------------------------------

CYCLE = [
    "CREATE TABLE store (id integer PRIMARY KEY, manager_id integer NOT NULL, name text NOT NULL)",
    "CREATE TABLE staff (id integer PRIMARY KEY, store_id integer NOT NULL REFERENCES store (id), name text)",
    "ALTER TABLE store ADD CONSTRAINT store_manager_fk FOREIGN KEY (manager_id) REFERENCES staff (id)",
]


def _role(admin_url: str, role: str, owner_of: str | None = None) -> str:
    """A login role without superuser rights (owner of the database ``owner_of``): its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
        if owner_of:
            conn.execute(f'ALTER DATABASE "{owner_of}" OWNER TO "{role}"')
            conn.execute(f'GRANT ALL ON SCHEMA public TO "{role}"')
    base, db = admin_url.rsplit("/", 1)
    return base.replace("postgres@", f"{role}@", 1) + "/" + db


@pytest.mark.postgres
def test_a_user_that_may_not_write_is_told_so(fresh_pg_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reader = _role(fresh_pg_url, "sb_reader")
    run = cli("seed", "--recipe", "scale-seed", "--db", reader, "--scale", "0.001", "--manifest-dir", tmp_path / "r")
    assert_refused(run, "permission denied", hint="GRANT")
    from tests.test_cli_errors import pg_tables

    assert pg_tables(fresh_pg_url) == [] and not (tmp_path / "r").exists()


@pytest.mark.postgres
def test_a_cycle_of_not_null_keys_needs_a_superuser_and_says_so(request, tmp_path, monkeypatch):
    from tests.helpers import fresh_url

    monkeypatch.chdir(tmp_path)
    fresh_pg_url = fresh_url("postgres", request, tmp_path, CYCLE)
    owner = _role(fresh_pg_url.rsplit("/", 1)[0] + "/test", "sb_owner", owner_of=fresh_pg_url.rsplit("/", 1)[1])
    owner = owner.rsplit("/", 1)[0] + "/" + fresh_pg_url.rsplit("/", 1)[1]
    import psycopg

    with psycopg.connect(fresh_pg_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE store OWNER TO sb_owner")
        conn.execute("ALTER TABLE staff OWNER TO sb_owner")
    run = cli("seed", "--db", owner, "--rows", "5", "--manifest-dir", tmp_path / "r")
    assert run.code != 0 and "Traceback" not in run.output, run.output
    assert "superuser" in run.flat and "DEFERRABLE" in run.flat, run.output
    with psycopg.connect(fresh_pg_url) as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM store) + (SELECT count(*) FROM staff)").fetchone()[0] == 0


# -- a full disk -------------------------------------------------------------------------------


@pytest.fixture()
def tiny_disk():
    """A filesystem of 1 MB (a tmpfs), grown by calling the fixture's value with a size."""
    import subprocess
    import tempfile

    from tests.conftest import IN_CI

    # under /tmp itself, not pytest's folder: the PostgreSQL server's own user must reach it
    where = Path(tempfile.mkdtemp(prefix="seedbed-tiny-"))
    where.chmod(0o755)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(where)],
                          capture_output=True, text=True)  # fmt: skip
    if made.returncode != 0:
        msg = f"cannot mount a small filesystem to fill: {made.stderr.strip()} (run as root)"
        pytest.fail(msg + " — CI requires it", pytrace=False) if IN_CI else pytest.skip(msg)

    def grow(size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True)

    try:
        yield where, grow
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def _complete_tables(url: str) -> dict[str, int]:
    from seedbed.sinks import open_sink

    sink = open_sink(url)
    try:
        m = sink.manifests.require("scale-seed", 123)
        return {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in m.tables}
    finally:
        sink.close()


def _fills_and_goes_on(url: str, tmp_path: Path, grow) -> None:
    runs = tmp_path / "runs"
    args = ("seed", "--recipe", "scale-seed", "--db", url, "--scale", "0.01", "-q", "--manifest-dir", runs)
    run = cli(*args)
    assert_refused(run, "the database takes no more rows", "full", hint="free space")
    assert "goes on where this run stopped" in run.flat_err and "purge" in run.flat_err
    # what was written: whole tables only (each as planned or empty), said in the manifest
    import json

    from seedbed.sinks.manifest import Manifest

    recorded = Manifest.from_dict(json.loads(next(runs.glob("*.json")).read_text()))
    assert recorded.status == "failed"
    counts = _complete_tables(url)
    assert 0 in counts.values(), counts
    for t, n in counts.items():
        assert n in (0, recorded.tables[t].planned), (t, n)
    grow("64m")
    assert cli(*args).code == 0
    assert cli("verify", "--recipe", "scale-seed", "--db", url).code == 0


def test_a_full_disk_stops_the_run_and_the_same_command_goes_on(tiny_disk, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    where, grow = tiny_disk
    _fills_and_goes_on(f"sqlite:///{where / 'full.db'}", tmp_path, grow)


@pytest.mark.postgres
def test_a_full_server_disk_stops_the_run_and_the_same_command_goes_on(tiny_disk, fresh_pg_url, tmp_path, monkeypatch):
    import psycopg

    monkeypatch.chdir(tmp_path)
    where, grow = tiny_disk
    space = where / "pg"
    space.mkdir()
    import shutil

    shutil.chown(space, "postgres", "postgres")
    name = fresh_pg_url.rsplit("/", 1)[1]
    admin = fresh_pg_url.rsplit("/", 1)[0] + "/test"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE {name}_tiny LOCATION '{space}'")
        conn.execute(f'ALTER DATABASE "{name}" SET default_tablespace = {name}_tiny')
    try:
        _fills_and_goes_on(fresh_pg_url, tmp_path, grow)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f"DROP TABLESPACE IF EXISTS {name}_tiny")
