"""A production target asks first: the user says so (--env, SEEDBED_ENV) or the database
carries seedbed's mark; seed and purge then warn, need --force where there is no terminal to
ask, and count down. Nothing is written when they refuse."""

from __future__ import annotations

from contextlib import closing

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import assert_refused, cli

TABLES = {"vendors", "clients", "products", "batches", "orders", "invoices", "payments"}


def _tables(url: str) -> set[str]:
    with closing(open_sink(url)) as sink:
        return {t.split(".")[-1] for t in sink.existing_tables([None])} & TABLES


@pytest.mark.parametrize("dialect", dialect_params())
def test_a_database_marked_production_asks_before_seed_and_purge(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEDBED_COUNTDOWN", "1")
    url = fresh_url(dialect, request, tmp_path)
    marked = cli("mark", "production", "--db", url)
    assert marked.code == 0 and "marked as production" in marked.stdout
    assert seedbed.mark(url) == "production"
    refused = cli("seed", "--recipe", "rollout", "--db", url)  # no terminal here to ask
    assert_refused(refused, "refusing to seed a production database", hint="--force")
    assert "the database's own mark" in refused.flat_err and _tables(url) == set()
    run = cli("seed", "--recipe", "rollout", "--db", url, "--force", "-q")
    assert run.code == 0, run.output
    assert "is a production database" in run.flat_err and "seed starts in 1 s" in run.flat_err
    assert _tables(url) == TABLES
    # seedbed's own table is never taken for the application's
    assert "seedbed_environment" not in " ".join(seedbed.plan(url, rows=1).rows)
    assert_refused(cli("purge", "--recipe", "rollout", "--db", url), "refusing to purge", hint="--force")
    assert cli("purge", "--recipe", "rollout", "--db", url, "--force").code == 0
    assert cli("mark", "--clear", "--db", url).stdout.strip() == "not marked"
    assert cli("seed", "--recipe", "rollout", "--db", url, "-q").code == 0  # unmarked: no question


@pytest.mark.parametrize("how", ["--env", "SEEDBED_ENV"])
def test_the_user_can_say_production_too(how, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    args = ["seed", "--recipe", "rollout", "--db", url]
    if how == "--env":
        args += ["--env", "production"]
    else:
        monkeypatch.setenv("SEEDBED_ENV", "production")
    assert_refused(cli(*args), "production", hint="--force")
    assert not (tmp_path / "p.db").exists() and not (tmp_path / "seedbed-runs").exists()
    monkeypatch.setenv("SEEDBED_COUNTDOWN", "0")
    assert cli(*args, "--force", "-q").code == 0


@pytest.mark.parametrize("dialect", dialect_params())
def test_a_production_seed_takes_a_backup_first_and_says_how_to_undo_it(dialect, request, tmp_path, monkeypatch):
    import subprocess

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEDBED_COUNTDOWN", "0")
    url = fresh_url(dialect, request, tmp_path)
    assert cli("seed", "--recipe", "rollout", "--db", url, "-q").code == 0  # what production holds already
    assert cli("mark", "production", "--db", url).code == 0
    run = cli("seed", "--recipe", "rollout", "--db", url, "--seed", "2", "--force", "--backup-dir", tmp_path / "bk")
    assert run.code == 0, run.output
    (backup,) = (tmp_path / "bk").iterdir()
    assert f"backup: {backup}" in run.flat_err and "restore:" in run.flat_err
    if dialect == "sqlite":  # the copy holds the rows from before the run
        with closing(open_sink(f"sqlite:///{backup}")) as sink:
            assert sink.scalar("SELECT count(*) FROM clients") == 10
    elif dialect == "postgres":
        listed = subprocess.run(["pg_restore", "--list", str(backup)], capture_output=True, text=True)
        assert listed.returncode == 0 and "TABLE DATA public clients" in listed.stdout
    else:
        assert "INSERT INTO `clients`" in backup.read_text()
    undo = f"to undo this run: seedbed purge --recipe rollout --db {url} --seed 2"
    assert undo in run.flat_err
    purged = cli("purge", "--recipe", "rollout", "--db", url, "--seed", "2", "--force")
    assert purged.code == 0 and "purged 195 rows" in purged.flat
    with closing(open_sink(url)) as sink:
        assert sink.scalar("SELECT count(*) FROM clients") == 10


@pytest.mark.postgres
def test_no_dump_tool_means_nothing_is_written(request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEDBED_COUNTDOWN", "0")
    url = fresh_url("postgres", request, tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump to be found
    run = cli("seed", "--recipe", "rollout", "--db", url, "--env", "production", "--force")
    assert run.code == 2 and "error: pg_dump is not installed" in run.flat_err and "--no-backup" in run.flat_err
    assert "Traceback" not in run.output
    monkeypatch.undo()
    assert _tables(url) == set()
