"""The three targets: fresh databases, schema for the baselines, native CSV loaders, counts.

Everything here talks to the servers through their own command-line clients (psql,
mariadb, sqlite3), the way the baselines are defined; nothing here is timed except
through ``Runner.run`` by the caller.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bench.proc import BenchError

PREFIX = "seedbed_bench"


def _quick(cmd: list[str], env: dict | None = None, timeout: float = 60, stdin: str | None = None) -> str:
    """A short untimed helper command; its stdout, or BenchError with its stderr."""
    full = dict(os.environ)
    full.update(env or {})
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=full, timeout=timeout)
    except FileNotFoundError:
        raise BenchError(f"{cmd[0]!r} is not installed") from None
    except subprocess.TimeoutExpired:
        raise BenchError(f"{shlex_join(cmd)} did not answer within {timeout:.0f}s") from None
    if p.returncode != 0:
        shown = shlex_join(cmd)
        shown = shown if len(shown) <= 200 else shown[:200] + " ..."
        raise BenchError(f"{(p.stderr or p.stdout).strip()[:800]} (from: {shown})")
    return p.stdout


def shlex_join(cmd: list[str]) -> str:
    import shlex

    return shlex.join(cmd)


def need_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BenchError(f"{name!r} is not on PATH ({hint})")
    return path


@dataclass
class Server:
    host: str
    port: int
    user: str
    password: str | None


def parse_server(url: str, default_port: int, default_user: str) -> Server:
    u = urlsplit(url)
    return Server(
        u.hostname or "127.0.0.1",
        u.port or default_port,
        unquote(u.username or default_user),
        unquote(u.password) if u.password else None,
    )


# ---------------------------------------------------------------- PostgreSQL
class Postgres:
    kind = "pg"

    def __init__(self, url: str):
        self.url = url
        self.s = parse_server(url, 5432, "postgres")
        self.created: set[str] = set()
        self.psql = "psql"

    @property
    def env(self) -> dict:
        return {"PGPASSWORD": self.s.password} if self.s.password else {}

    def base_args(self, db: str) -> list[str]:
        return [
            self.psql,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.s.host,
            "-p",
            str(self.s.port),
            "-U",
            self.s.user,
            "-d",
            db,
        ]

    def check(self) -> str:
        self.psql = need_tool("psql", "apt-get install -y postgresql-client")
        try:
            v = _quick(self.base_args("postgres") + ["-Atc", "SHOW server_version"], self.env, timeout=20)
        except BenchError as err:
            where = f"{self.s.host}:{self.s.port} as {self.s.user}"
            raise BenchError(f"PostgreSQL is not reachable at {where}: {err}") from None
        return "PostgreSQL " + v.strip()

    def db_url(self, db: str) -> str:
        auth = self.s.user + (f":{self.s.password}" if self.s.password else "")
        return f"postgresql://{auth}@{self.s.host}:{self.s.port}/{db}"

    def create(self, db: str) -> str:
        self.created.add(db)  # first: a signal during CREATE must still drop it
        _quick(
            self.base_args("postgres")
            + ["-c", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', "-c", f'CREATE DATABASE "{db}"'],
            self.env,
        )
        return db

    def drop(self, db: str) -> None:
        _quick(self.base_args("postgres") + ["-c", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'], self.env)
        self.created.discard(db)

    def drop_all(self) -> None:
        for db in list(self.created):
            try:
                self.drop(db)
            except BenchError as err:
                print(f"warning: could not drop PostgreSQL database {db}: {err}")

    def settle(self, db: str = "postgres") -> None:
        """Flush what the previous run left dirty, so it is not billed to the next one."""
        with contextlib.suppress(BenchError):
            _quick(self.base_args(db) + ["-c", "CHECKPOINT"], self.env, timeout=600)

    def create_schema(self, db: str, ddl_path: Path) -> None:
        _quick(self.base_args(db) + ["-f", str(ddl_path)], self.env, timeout=120)

    def load_cmd(self, db: str, tables: list[TableCsv]) -> list[str]:
        cmd = self.base_args(db)
        for t in tables:
            cols = ", ".join(f'"{c}"' for c in t.columns)
            cmd += ["-c", f"\\copy \"{t.name}\" ({cols}) FROM '{t.path}' WITH (FORMAT csv, HEADER true)"]
        return cmd

    def signature(self, db: str) -> set[str]:
        """Indexes and constraints of the application's tables (seedbed's manifest table aside)."""
        sql = (
            "SELECT 'index ' || tablename || '.' || indexname FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename <> 'seedbed_runs' UNION ALL "
            "SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ' ' || contype::text || "
            "CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace AND conrelid <> 0 "
            "AND conrelid::regclass::text <> 'seedbed_runs'"
        )
        return set(_quick(self.base_args(db) + ["-At", "-c", sql], self.env).split("\n")) - {""}

    def counts(self, db: str, names: list[str]) -> dict[str, int]:
        sql = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in names)
        out = _quick(self.base_args(db) + ["-At", "-F", "\t", "-c", sql], self.env, timeout=600)
        return {k: int(v) for k, v in (line.split("\t") for line in out.strip().splitlines())}


# ---------------------------------------------------------------- MariaDB / MySQL
class MariaDB:
    kind = "mysql"

    def __init__(self, url: str):
        self.url = url
        self.s = parse_server(url, 3306, "root")
        self.created: set[str] = set()
        self.client = "mariadb"
        self.flavour = "mariadb"

    @property
    def env(self) -> dict:
        return {"MYSQL_PWD": self.s.password} if self.s.password else {}

    def base_args(self, db: str | None = None) -> list[str]:
        cmd = [
            self.client,
            "--local-infile=1",
            "--show-warnings",
            "-h",
            self.s.host,
            "-P",
            str(self.s.port),
            "-u",
            self.s.user,
            "--protocol=TCP",
        ]
        return cmd + ([db] if db else [])

    def check(self, python: str) -> str:
        self.client = shutil.which("mariadb") or shutil.which("mysql") or ""
        if not self.client:
            raise BenchError("neither 'mariadb' nor 'mysql' client is on PATH (apt-get install -y mariadb-client)")
        try:
            out = _quick(self.base_args() + ["-N", "-e", "SELECT VERSION(), @@local_infile"], self.env, timeout=20)
        except BenchError as err:
            where = f"{self.s.host}:{self.s.port} as {self.s.user}"
            raise BenchError(f"MariaDB/MySQL is not reachable at {where}: {err}") from None
        version, local = out.strip().split("\t")
        if local.strip() not in ("1", "ON"):
            raise BenchError(
                "the server has local_infile OFF: run SET GLOBAL local_infile = 1 "
                "(both seedbed's fast path and the LOAD DATA baseline need it)"
            )
        self.flavour = "mariadb" if "mariadb" in version.lower() else "mysql"
        try:
            _quick([python, "-c", "import pymysql"], timeout=60)
        except BenchError:
            raise BenchError(f"PyMySQL is not installed for {python} (pip install 'seedbed[mysql]')") from None
        return ("MariaDB " if self.flavour == "mariadb" else "MySQL ") + version

    def db_url(self, db: str) -> str:
        auth = self.s.user + (f":{self.s.password}" if self.s.password else "")
        return f"mysql://{auth}@{self.s.host}:{self.s.port}/{db}"

    def create(self, db: str) -> str:
        self.created.add(db)  # first: a signal during CREATE must still drop it
        _quick(
            self.base_args() + ["-e", f"DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}` CHARACTER SET utf8mb4"],
            self.env,
        )
        return db

    def drop(self, db: str) -> None:
        _quick(self.base_args() + ["-e", f"DROP DATABASE IF EXISTS `{db}`"], self.env, timeout=600)
        self.created.discard(db)

    def drop_all(self) -> None:
        for db in list(self.created):
            try:
                self.drop(db)
            except BenchError as err:
                print(f"warning: could not drop MariaDB database {db}: {err}")

    def settle(self) -> None:
        pass

    def create_schema(self, db: str, ddl: str) -> None:
        from seedbed.schema.ddl import transpile_ddl

        stmts = transpile_ddl(ddl, "postgres", self.flavour)
        _quick(self.base_args(db), self.env, timeout=120, stdin=";\n".join(stmts) + ";\n")

    def load_cmd(self, db: str, tables: list[TableCsv]) -> list[str]:
        """One client process, one LOAD DATA LOCAL INFILE per table in dependency order.

        The CSVs are seedbed's export (Arrow's CSV): nulls are empty unquoted fields and
        instants end in 'Z', which MySQL reads as '' and truncates with a warning, so
        nullable columns go through NULLIF(@v, '') and instants through TRIM('Z') - what
        anyone loading these files by hand has to write.
        """
        stmts = ["SET SESSION time_zone = '+00:00'"]
        for t in tables:
            targets, sets = [], []
            for c, nullable, instant in zip(t.columns, t.nullable, t.instant):
                if not nullable and not instant:
                    targets.append(f"`{c}`")
                    continue
                v = f"@v_{c}"
                targets.append(v)
                expr = f"TRIM(TRAILING 'Z' FROM {v})" if instant else v
                sets.append(f"`{c}` = " + (f"NULLIF({expr}, '')" if nullable else expr))
            stmt = (
                f"LOAD DATA LOCAL INFILE '{t.path}' INTO TABLE `{t.name}` CHARACTER SET utf8mb4 "
                "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' "
                "LINES TERMINATED BY '\\n' IGNORE 1 LINES "
                f"({', '.join(targets)})" + (f" SET {', '.join(sets)}" if sets else "")
            )
            stmts.append(stmt)
        return self.base_args(db) + ["-e", "; ".join(stmts)]

    def signature(self, db: str) -> set[str]:
        sql = (
            f"SELECT CONCAT('index ', TABLE_NAME, '.', INDEX_NAME, '.', COLUMN_NAME) "
            f"FROM information_schema.STATISTICS "
            f"WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME <> 'seedbed_runs' UNION ALL "
            f"SELECT CONCAT('constraint ', TABLE_NAME, '.', CONSTRAINT_NAME, ' ', CONSTRAINT_TYPE) "
            f"FROM information_schema.TABLE_CONSTRAINTS "
            f"WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME <> 'seedbed_runs'"
        )
        return set(_quick(self.base_args(db) + ["-N", "-e", sql], self.env).split("\n")) - {""}

    def counts(self, db: str, names: list[str]) -> dict[str, int]:
        sql = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM `{n}`" for n in names)
        out = _quick(self.base_args(db) + ["-N", "-e", sql], self.env, timeout=600)
        return {k: int(v) for k, v in (line.split("\t") for line in out.strip().splitlines())}


def count_warnings(log_text: str) -> tuple[int, list[str]]:
    found = re.findall(r"^Warning \(Code \d+\):.*$", log_text, re.MULTILINE)
    return len(found), found[:3]


# ---------------------------------------------------------------- SQLite
class SQLite:
    kind = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.created: set[Path] = set()
        self.cli = "sqlite3"

    def check(self) -> str:
        self.cli = need_tool("sqlite3", "apt-get install -y sqlite3")
        v = _quick([self.cli, "--version"]).split()[0]
        major, minor = (int(x) for x in v.split(".")[:2])
        if (major, minor) < (3, 32):
            raise BenchError(f"sqlite3 {v} is too old: .import --csv --skip needs 3.32 or later")
        return "sqlite3 CLI " + v + f" / Python sqlite3 {sqlite3.sqlite_version}"

    def create(self, name: str) -> Path:
        path = self.workdir / f"{name}.db"
        for p in (path, Path(str(path) + "-journal"), Path(str(path) + "-wal")):
            p.unlink(missing_ok=True)
        self.created.add(path)
        return path

    def db_url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def drop(self, path: Path) -> None:
        for p in (path, Path(str(path) + "-journal"), Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            p.unlink(missing_ok=True)
        self.created.discard(path)

    def drop_all(self) -> None:
        for p in list(self.created):
            self.drop(p)

    def settle(self) -> None:
        os.sync()

    def create_schema(self, path: Path, ddl: str) -> None:
        from seedbed.schema.ddl import transpile_ddl

        stmts = transpile_ddl(ddl, "postgres", "sqlite")
        con = sqlite3.connect(path)
        try:
            con.executescript(";\n".join(stmts) + ";\n")
            con.commit()
        finally:
            con.close()

    def load_script(self, tables: list[TableCsv], script: Path) -> Path:
        """.import each CSV (header skipped) in dependency order. The CLI leaves foreign
        keys off, as it does by default, and imports empty fields as '' (not NULL)."""
        lines = [".bail on"]
        for t in tables:
            lines.append(f".import --csv --skip 1 '{t.path}' {t.name}")
        script.write_text("\n".join(lines) + "\n")
        return script

    def load_cmd(self, path: Path) -> list[str]:
        return [self.cli, "-batch", str(path)]

    def signature(self, path: Path) -> set[str]:
        con = sqlite3.connect(path)
        try:
            rows = con.execute(
                "SELECT type, tbl_name, name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                "AND tbl_name <> 'seedbed_runs'"
            ).fetchall()
        finally:
            con.close()
        # autoindexes carry the constraints; a table's CREATE text carries its foreign keys and checks
        return {
            f"{t} {tbl}.{n}" + (f" {' '.join(sql.split())}" if t == "table" and sql else "") for t, tbl, n, sql in rows
        }

    def counts(self, path: Path, names: list[str]) -> dict[str, int]:
        con = sqlite3.connect(path)
        try:
            return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        finally:
            con.close()


@dataclass
class TableCsv:
    name: str
    path: Path
    columns: list[str]
    nullable: list[bool]
    instant: list[bool]  # timestamp columns (written with a trailing 'Z')
    rows: int


def check_counts(label: str, got: dict[str, int], want: dict[str, int]) -> None:
    bad = {t: (got.get(t), n) for t, n in want.items() if got.get(t) != n}
    if bad:
        detail = ", ".join(f"{t}: {g} of {n}" for t, (g, n) in list(bad.items())[:5])
        raise BenchError(f"{label}: row counts differ from the plan ({detail})")


def check_same_schema(label: str, seeded: set[str], baseline: set[str]) -> None:
    """The seeded database must end with every index and constraint the baseline has (a
    seeder that drops indexes to load faster must put them all back)."""
    missing, extra = sorted(baseline - seeded), sorted(seeded - baseline)
    if missing or extra:
        raise BenchError(
            f"{label}: the seeded schema differs from the baseline's: "
            f"missing {missing[:4]}{' ...' if len(missing) > 4 else ''}, "
            f"extra {extra[:4]}{' ...' if len(extra) > 4 else ''}"
        )
