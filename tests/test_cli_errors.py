"""Bad input through the real ``seedbed`` command: refused with a clear message, nothing written.

Every case checks the exit code, that the message on stderr names the offending object
(recipe, table, column, option value, database URL), the hint when there is one, that no
Python traceback leaks out, and that the target database is untouched: a SQLite file that
does not exist or has no tables, or a fresh PostgreSQL database (``pg_url``) with no tables.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seedbed.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
SEEDBED = ROOT / ".venv" / "bin" / "seedbed"
PYTHON = ROOT / ".venv" / "bin" / "python"

DDL = """
CREATE TABLE users (
    id integer PRIMARY KEY,
    name text NOT NULL,
    email varchar(40),
    nickname text
);
CREATE TABLE orders (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    total numeric(10, 2),
    status text
);
"""


# -- running the command ------------------------------------------------------------------


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def flat(self) -> str:
        """stdout + stderr with whitespace collapsed (the console may wrap long lines)."""
        return " ".join(self.output.split())

    @property
    def flat_err(self) -> str:
        return " ".join(self.stderr.split())


def cli(*args: object) -> Run:
    """``seedbed ARGS`` in-process through typer's CliRunner (wide console, no wrapping)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "300"})
    return Run(result.exit_code, result.stdout, result.stderr, result.exception)


def cli_subprocess(*args: object) -> Run:
    """``seedbed ARGS`` as a real process, for what only a process shows (entry point, stderr)."""
    env = {**os.environ, "COLUMNS": "300"}
    p = subprocess.run([str(SEEDBED), *map(str, args)], capture_output=True, text=True, env=env, timeout=60)
    return Run(p.returncode, p.stdout, p.stderr)


def assert_refused(run: Run, *needles: str, hint: str | None = None, code: int = 2) -> None:
    """Non-zero exit with seedbed's own message on stderr naming ``needles``; no traceback."""
    assert run.code != 0, f"expected a refusal, got exit 0:\n{run.output}"
    assert run.code == code, f"exit code {run.code}, expected {code}:\n{run.output}"
    assert "Traceback" not in run.output, run.output
    if run.exception is not None:  # in-process: only a clean exit, never an escaped exception
        assert isinstance(run.exception, SystemExit), repr(run.exception)
    assert run.flat_err.startswith("error:"), f"no error message on stderr:\n{run.output}"
    for needle in needles:
        assert needle in run.flat_err, f"{needle!r} not in the message:\n{run.stderr}"
    if hint is not None:
        assert "hint:" in run.flat_err, f"no hint in:\n{run.stderr}"
        hint_text = run.flat_err.split("hint:", 1)[1]
        assert hint in hint_text, f"{hint!r} not in the hint:\n{run.stderr}"


# -- inspecting targets ---------------------------------------------------------------------


def sqlite_tables(path: Path) -> list[str] | None:
    """Tables in a SQLite file, or None when the file does not exist."""
    if not path.exists():
        return None
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        con.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def pg_tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return [r[0] for r in rows]


@dataclass
class Target:
    url: str
    kind: str
    untouched: Callable[[], bool]
    describe: Callable[[], object]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run every command from tmp_path, so a stray manifest could not land in the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path) -> Target:
    if request.param == "sqlite":
        path = tmp_path / "target.db"
        return Target(f"sqlite:///{path}", "sqlite", lambda: not sqlite_tables(path), lambda: sqlite_tables(path))
    url = request.getfixturevalue("pg_url")
    return Target(url, "postgres", lambda: pg_tables(url) == [], lambda: pg_tables(url))


def assert_nothing_written(target: Target, tmp_path: Path) -> None:
    assert target.untouched(), f"{target.kind} target was written: {target.describe()}"
    assert not (tmp_path / "seedbed-runs").exists(), "a manifest file was written"


@pytest.fixture()
def ddl_file(tmp_path) -> Path:
    p = tmp_path / "schema.sql"
    p.write_text(DDL, encoding="utf-8")
    return p


def write_plan(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "plan.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# -- recipes and options --------------------------------------------------------------------


def test_unknown_recipe_suggests_the_close_one(target, tmp_path):
    run = cli("seed", "--recipe", "scale-sed", "--db", target.url)
    assert_refused(run, "unknown recipe 'scale-sed'", hint="did you mean 'scale-seed'?")
    assert_nothing_written(target, tmp_path)


def test_unknown_recipe_in_dry_run_too():
    run = cli("plan", "--recipe", "scale-sed")
    assert_refused(run, "'scale-sed'", hint="'scale-seed'")


@pytest.mark.parametrize("scale", ["0", "-1"])
def test_scale_must_be_positive(target, tmp_path, scale):
    run = cli("seed", "--recipe", "scale-seed", "--db", target.url, "--scale", scale)
    assert_refused(run, "--scale must be greater than 0", f"got {float(scale)}", hint="--scale 0.1")
    assert_nothing_written(target, tmp_path)


@pytest.mark.parametrize("scale", ["0", "-1"])
def test_scale_must_be_positive_for_export(tmp_path, scale):
    out = tmp_path / "out"
    run = cli("export", "--recipe", "scale-seed", "--scale", scale, "--out", out)
    assert_refused(run, "--scale must be greater than 0", hint="--scale 0.1")
    assert not out.exists()


def test_export_unknown_format(tmp_path):
    out = tmp_path / "out"
    run = cli("export", "--recipe", "scale-seed", "--scale", "0.001", "--format", "xml", "--out", out)
    assert_refused(run, "unknown format 'xml'", hint="parquet, csv")
    assert not out.exists(), "export wrote files for an unknown format"


def test_unknown_profile(target, tmp_path):
    run = cli("seed", "--recipe", "scale-seed", "--db", target.url, "--profile", "tiny")
    assert_refused(run, "unknown profile 'tiny'", "scale-seed", hint="small, medium, large")
    assert_nothing_written(target, tmp_path)


def test_unknown_profile_close_to_a_known_one_gets_did_you_mean(tmp_path):
    run = cli("plan", "--recipe", "scale-seed", "--profile", "smal")
    assert_refused(run, "unknown profile 'smal'", hint="did you mean 'small'?")


def test_unknown_dialect(target, tmp_path, ddl_file):
    run = cli("seed", "--ddl", ddl_file, "--dialect", "oracle", "--db", target.url, "--create-schema")
    assert_refused(run, "unknown dialect 'oracle'", hint="postgres, mysql, sqlite")
    assert_nothing_written(target, tmp_path)


# -- plan files -------------------------------------------------------------------------------


def seed_plan(target: Target, plan: Path, ddl: Path) -> Run:
    return cli("seed", "--plan", plan, "--ddl", ddl, "--dialect", "sqlite", "--db", target.url, "--create-schema")


def test_plan_names_unknown_table(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  usres:\n    rows: 5\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "unknown table 'usres'", hint="did you mean 'users'?")
    assert_nothing_written(target, tmp_path)


def test_plan_names_unknown_column(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    columns:\n      emial: {fake: city}\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "'users'", "no column 'emial'", "tables.users.columns", hint="did you mean 'email'?")
    assert_nothing_written(target, tmp_path)


def test_plan_unknown_column_far_from_any_lists_the_columns(tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  orders:\n    columns:\n      zzz: 1\n")
    run = cli("plan", "--plan", plan, "--ddl", ddl_file, "--dialect", "sqlite")
    assert_refused(run, "no column 'zzz'", hint="id, user_id, total, status")


def test_malformed_yaml_names_file_and_line(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    rows: [5\n  orders: {rows: 3}\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "plan.yaml", "not valid YAML", "line 4")
    assert_nothing_written(target, tmp_path)


def test_plan_with_unknown_top_level_key(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "nmae: mine\ntables: {}\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "plan.yaml", "nmae", hint="docs/plan-format.md")
    assert_nothing_written(target, tmp_path)


def test_plan_with_unknown_generator(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    columns:\n      email: {fakee: city}\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "unknown generator 'fakee'", "tables.users.columns.email", hint="did you mean 'fake'?")
    assert_nothing_written(target, tmp_path)


def test_plan_with_null_rate_out_of_range(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    columns:\n      email: {fake: city, null_rate: 2}\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "null_rate must be between 0 and 1", "tables.users.columns.email")
    assert_nothing_written(target, tmp_path)


def test_plan_with_unknown_generator_option(tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    columns:\n      id: {sequence: {strat: 5}}\n")
    run = cli("plan", "--plan", plan, "--ddl", ddl_file, "--dialect", "sqlite")
    assert_refused(run, "sequence has no option 'strat'", "tables.users.columns.id", hint="did you mean 'start'?")


def test_plan_with_null_rate_on_not_null_column(target, tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    columns:\n      name: {fake: city, null_rate: 0.1}\n")
    run = seed_plan(target, plan, ddl_file)
    assert_refused(run, "'name' is NOT NULL", "null_rate", "tables.users.columns.name")
    assert_nothing_written(target, tmp_path)


def test_plan_file_missing(target, tmp_path, ddl_file):
    run = seed_plan(target, tmp_path / "nope.yaml", ddl_file)
    assert_refused(run, "cannot read plan file", "nope.yaml")
    assert_nothing_written(target, tmp_path)


@pytest.mark.parametrize(
    "entry",
    [
        "{choices: {a: high, b: low}}",
        "{bool: maybe}",
        "{fake: city, null_rate: abc}",
        "{normal: {mean: a, sd: 1}}",
    ],
)
def test_plan_with_non_numeric_generator_option(tmp_path, ddl_file, entry):
    plan = write_plan(tmp_path, f"tables:\n  users:\n    columns:\n      nickname: {entry}\n")
    run = cli("plan", "--plan", plan, "--ddl", ddl_file, "--dialect", "sqlite")
    assert_refused(run, "tables.users.columns.nickname")


def test_message_keeps_square_brackets(tmp_path, ddl_file):
    plan = write_plan(tmp_path, "tables:\n  users:\n    columns:\n      nickname: {int: 5}\n")
    run = cli("plan", "--plan", plan, "--ddl", ddl_file, "--dialect", "sqlite")
    assert_refused(run, "int needs [low, high], got 5", "tables.users.columns.nickname")


def test_wide_numeric_column_is_not_a_traceback(tmp_path):
    ddl = tmp_path / "wide.sql"
    ddl.write_text("CREATE TABLE ledger (id integer PRIMARY KEY, amount numeric(50, 2));\n", encoding="utf-8")
    run = cli("plan", "--ddl", ddl, "--dialect", "postgres")
    assert "Traceback" not in run.output
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)


# -- databases --------------------------------------------------------------------------------


def test_unreachable_database_hides_the_password(tmp_path):
    url = "postgresql://postgres:secret@127.0.0.1:1/nope"
    run = cli_subprocess("seed", "--recipe", "scale-seed", "--db", url, "--scale", "0.001")
    assert_refused(run, "cannot connect to", "127.0.0.1:1/nope", hint="PostgreSQL")
    assert "secret" not in run.output, run.output
    assert not (tmp_path / "seedbed-runs").exists()


@pytest.mark.parametrize("command", ["verify", "purge"])
def test_unreachable_database_for_verify_and_purge(command):
    run = cli(command, "--recipe", "scale-seed", "--db", "postgresql://postgres:secret@127.0.0.1:1/nope")
    assert_refused(run, "cannot connect to", "127.0.0.1:1/nope")
    assert "secret" not in run.output


def test_unsupported_url_scheme(tmp_path):
    run = cli("seed", "--recipe", "scale-seed", "--db", "oracle://scott:tiger@db.example.com/orcl")
    assert_refused(run, "unsupported database URL", "db.example.com/orcl", hint="postgresql://")
    assert "tiger" not in run.output
    assert not (tmp_path / "seedbed-runs").exists()


def test_sqlite_in_missing_folder(tmp_path):
    path = tmp_path / "no" / "such" / "dir" / "x.db"
    run = cli("seed", "--recipe", "scale-seed", "--db", f"sqlite:///{path}", "--scale", "0.001")
    assert_refused(run, "cannot open", "x.db", hint="folder")
    assert not path.exists()


@pytest.mark.parametrize("command", ["verify", "purge"])
def test_verify_and_purge_of_a_never_seeded_seed(target, tmp_path, command):
    run = cli(command, "--recipe", "scale-seed", "--db", target.url, "--seed", "77")
    if target.kind == "sqlite":  # no file there: none is created to find no run in
        assert_refused(run, "no database file at", hint="seed it first")
    else:
        assert_refused(run, "no run of 'scale-seed' with seed 77", hint="seed it first")
    assert_nothing_written(target, tmp_path)


# -- a seed already in the database -----------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory) -> Path:
    """A SQLite file holding scale-seed seed 5 at scale 0.001 (shared, read-only for the tests)."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "seeded.db"
    result = CliRunner().invoke(
        app,
        [
            "seed",
            "--recipe",
            "scale-seed",
            "--db",
            f"sqlite:///{path}",
            "--seed",
            "5",
            "--scale",
            "0.001",
            "--manifest-dir",
            str(folder / "runs"),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return path


def test_same_seed_at_a_smaller_scale_is_refused(seeded_sqlite, tmp_path):
    """A larger scale grows the run (test_grow.py); a smaller one would have to take rows away."""
    before = sqlite_counts(seeded_sqlite)
    assert before["seedbed_runs"] == 1 and sum(before.values()) > 100
    manifests = sorted(p.name for p in (seeded_sqlite.parent / "runs").iterdir())
    run = cli(
        "seed",
        "--recipe",
        "scale-seed",
        "--db",
        f"sqlite:///{seeded_sqlite}",
        "--seed",
        "5",
        "--scale",
        "0.0005",
        "--manifest-dir",
        tmp_path / "runs",
    )
    assert_refused(run, "seed 5 of 'scale-seed' is already in this database", "scale 0.001", hint="seedbed purge")
    assert sqlite_counts(seeded_sqlite) == before, "rows were added by a refused run"
    assert not (tmp_path / "runs").exists(), "a refused run wrote a manifest"
    assert sorted(p.name for p in (seeded_sqlite.parent / "runs").iterdir()) == manifests


@pytest.mark.parametrize("command", ["verify", "purge"])
def test_verify_and_purge_of_another_seed_leave_the_database_alone(seeded_sqlite, command):
    before = sqlite_counts(seeded_sqlite)
    run = cli(command, "--recipe", "scale-seed", "--db", f"sqlite:///{seeded_sqlite}", "--seed", "6")
    assert_refused(run, "no run of 'scale-seed' with seed 6", hint="check --seed and --db")
    assert sqlite_counts(seeded_sqlite) == before


# -- help and import weight -------------------------------------------------------------------

COMMANDS = ["plan", "seed", "verify", "purge", "export"]


def test_top_level_help_through_the_entry_point():
    run = cli_subprocess("--help")
    assert run.code == 0, run.output
    assert "Usage" in run.stdout and "Traceback" not in run.output
    for command in COMMANDS:
        assert command in run.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_subcommand_help(command):
    run = cli(command, "--help")
    assert run.code == 0, run.output
    assert "Usage" in run.stdout and f"seedbed {command}" in run.stdout
    assert "--recipe" in run.stdout and "--seed" in run.stdout


def test_cli_import_does_not_load_heavy_modules():
    heavy = ["numpy", "pyarrow", "psycopg", "sqlalchemy"]
    code = f"import sys, seedbed.cli.app\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    p = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "", f"importing seedbed.cli.app loads: {p.stdout.strip()}"


def test_help_does_not_load_heavy_modules():
    code = (
        "import sys\n"
        "from seedbed.cli.app import app\n"
        "for args in (['--help'], ['seed', '--help'], ['export', '--help']):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('HEAVY=' + ','.join(m for m in ('numpy', 'pyarrow', 'psycopg', 'sqlalchemy')"
        " if m in sys.modules), file=sys.stderr)\n"
    )
    p = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in p.stderr, p.stderr
    assert p.stderr.strip().splitlines()[-1] == "HEAVY=", f"--help loads: {p.stderr}"
