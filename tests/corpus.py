"""The schema corpus: finding its cases, loading each into a fresh database, and reading
the database back to judge what a seed left in it.

A corpus root holds one folder per schema and every ``*.sql`` file in a folder is a
case. The folder name gives the dialect: ``*_mysql`` is MySQL/MariaDB, ``*_sqlite``
is SQLite, anything else PostgreSQL (the rule both corpus READMEs state).

The probes read the database through their own connections, not through seedbed, so
what they report does not depend on the code under test. They run in autocommit: an
open transaction would hold locks that a later seed's DDL waits for.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI, MYSQL_URL, PG_URL, _mysql_admin

SHARED = Path(__file__).resolve().parents[2] / "shared"


def roots() -> list[Path]:
    """The corpus roots: SEEDBED_SCHEMAS (os.pathsep-separated) or the two beside the repo."""
    configured = os.environ.get("SEEDBED_SCHEMAS")
    if configured:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    return [SHARED / "schemas", SHARED / "schemas_more"]


def unavailable(msg: str) -> None:
    """CI must have everything the corpus needs; elsewhere a missing piece skips the case."""
    if IN_CI:
        pytest.fail(msg + " (CI requires it)", pytrace=False)
    pytest.skip(msg)


# -- cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    root: Path
    folder: str
    file: str

    @property
    def path(self) -> Path:
        return self.root / self.folder / self.file

    @property
    def id(self) -> str:
        return f"{self.root.name}/{self.folder}/{self.file}"

    @property
    def dialect(self) -> str:
        if self.folder.endswith("_mysql"):
            return "mysql"
        if self.folder.endswith("_sqlite"):
            return "sqlite"
        return "postgres"

    def declared_dialect(self) -> str | None:
        """The dialect the folder's SOURCE.md states (``- **Dialect:** ...``), if it has one."""
        source = self.root / self.folder / "SOURCE.md"
        found = re.search(r"\*\*Dialect:\*\*\s*(.+)", source.read_text()) if source.is_file() else None
        if found is None:
            return None
        text = found.group(1).lower()
        return "mysql" if "mysql" in text or "mariadb" in text else "sqlite" if "sqlite" in text else "postgres"


def cases(root: Path) -> list[Case]:
    if not root.is_dir():
        return []
    return [
        Case(root, folder.name, sql.name)
        for folder in sorted(p for p in root.iterdir() if p.is_dir())
        for sql in sorted(folder.glob("*.sql"))
    ]


# -- fresh databases ----------------------------------------------------------------------

# the extensions PostgreSQL's contrib ships: Debian builds them into the server package
CONTRIB_NAMES = """
    adminpack amcheck autoinc bloom btree_gin btree_gist citext cube dblink dict_int dict_xsyn
    earthdistance file_fdw fuzzystrmatch hstore insert_username intagg intarray isn lo ltree moddatetime
    old_snapshot pageinspect pg_buffercache pg_freespacemap pg_prewarm pg_stat_statements pg_surgery
    pg_trgm pg_visibility pg_walinspect pgcrypto pgrowlocks pgstattuple postgres_fdw refint seg sslinfo
    tablefunc tcn tsm_system_rows tsm_system_time unaccent uuid-ossp xml2
"""
CONTRIB = set(CONTRIB_NAMES.split())
# PostGIS's package ships all of these
POSTGIS = {
    "postgis",
    "postgis_raster",
    "postgis_sfcgal",
    "postgis_topology",
    "postgis_tiger_geocoder",
    "address_standardizer",
    "address_standardizer_data_us",
}
# packages named after the extension: postgresql-<major>-<suffix>
SAME_NAME = ("hypopg", "ip4r", "orafce", "pgaudit", "pgrouting", "pgtap", "prefix", "q3c", "rum", "semver", "unit")
PACKAGE_SUFFIX = {"pg_partman": "partman", "pg_cron": "cron", "pg_repack": "repack"} | {n: n for n in SAME_NAME}
PROCEDURAL = {"plpython3u": "plpython3", "plperl": "plperl", "plperlu": "plperl", "pltcl": "pltcl", "pltclu": "pltcl"}


def debian_package(extension: str, major: int) -> str | None:
    if extension in CONTRIB:
        return f"postgresql-{major}"
    if extension in POSTGIS:
        return f"postgresql-{major}-postgis-3"
    if extension in PACKAGE_SUFFIX:
        return f"postgresql-{major}-{PACKAGE_SUFFIX[extension]}"
    if extension in PROCEDURAL:
        return f"postgresql-{PROCEDURAL[extension]}-{major}"
    return None


def created_extensions(sql: str) -> list[str]:
    return re.findall(r'(?im)^\s*CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([\w-]+)"?', sql)


def missing_extension_in(stderr: str) -> str | None:
    """The extension a failed psql load lacked (PostgreSQL <= 15 and 16+ word it differently)."""
    found = re.search(r'extension control file "[^"]*/([\w-]+)\.control"|extension "([\w-]+)" is not available', stderr)
    return (found.group(1) or found.group(2)) if found else None


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        unavailable(f"{tool} is not installed")


def _run(cmd: list[str], failure: str, **kw) -> None:
    done = subprocess.run(cmd, capture_output=True, timeout=600, **kw)
    if done.returncode:
        unavailable(f"{failure}: {done.stderr.decode(errors='replace').strip()[:600]}")


@contextmanager
def fresh_database(case: Case, tmp_path: Path) -> Iterator[str]:
    """A new database of the case's dialect with its schema loaded by that database's own client."""
    if not case.path.is_file():
        unavailable(f"{case.path} is missing")
    loader = {"postgres": _fresh_postgres, "mysql": _fresh_mysql, "sqlite": _fresh_sqlite}[case.dialect]
    yield from loader(case, tmp_path)


def _fresh_sqlite(case: Case, tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "conformance.db"
    con = sqlite3.connect(db)
    try:
        con.executescript(case.path.read_text())
    except sqlite3.Error as err:
        unavailable(f"cannot load {case.path}: {err}")
    finally:
        con.close()
    yield f"sqlite:///{db}"


def _fresh_postgres(case: Case, tmp_path: Path) -> Iterator[str]:
    import psycopg

    _need("psql")
    sql = case.path.read_text()
    name = f"sb_conf_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:
        unavailable(f"PostgreSQL is not reachable ({err})")
    with admin:
        major = admin.info.server_version // 10000
        available = {r[0] for r in admin.execute("SELECT name FROM pg_available_extensions")}
        _need_extensions([e for e in created_extensions(sql) if e not in available], major)
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        done = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(case.path)],
            capture_output=True,
            timeout=600,
        )
        if done.returncode:
            stderr = done.stderr.decode(errors="replace")
            # an extension another one pulls in (CASCADE) is only named by the error
            _need_extensions([e for e in [missing_extension_in(stderr)] if e], major)
            unavailable(f"cannot load {case.path}: {stderr.strip()[:600]}")
        yield url
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _need_extensions(missing: list[str], major: int) -> None:
    def where(extension: str) -> str:
        package = debian_package(extension, major)
        if package is None:
            return f"no Debian package known here, try `apt-cache search postgresql-{major}`"
        return f"Debian package {package}" + (", the server's contrib" if extension in CONTRIB else "")

    if missing:
        unavailable(
            f"PostgreSQL {major} lacks the extension(s) the schema creates: "
            + ", ".join(f"{e} ({where(e)})" for e in missing)
        )


def _fresh_mysql(case: Case, tmp_path: Path) -> Iterator[str]:
    _need("mariadb")
    host = ["-h", "127.0.0.1", "-uroot"]
    name = f"sb_conf_{uuid.uuid4().hex[:10]}"
    _run(["mariadb", *host, "-e", f"CREATE DATABASE {name}"], "cannot create a MariaDB database")
    try:
        _run(
            ["mariadb", *host, name],
            f"cannot load {case.path}",
            input=_into_database(case.path.read_text(), name).encode(),
        )
        yield MYSQL_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        subprocess.run(["mariadb", *host, "-e", f"DROP DATABASE IF EXISTS {name}"], capture_output=True)


def _into_database(text: str, name: str) -> str:
    """A dump that creates and switches to a database of its own loads into ``name`` instead,
    including views that name their own database (`sakila.film`)."""
    for own in set(re.findall(r"(?im)^\s*USE\s+`?(\w+)`?\s*;", text)):
        text = re.sub(rf"(?i)`?\b{own}\b`?\.(?=`?\w)", f"{name}.", text)
    return re.sub(r"(?im)^\s*(DROP\s+(SCHEMA|DATABASE)|CREATE\s+(SCHEMA|DATABASE)|USE)\b[^;]*;\s*$", "", text)


# -- probes -------------------------------------------------------------------------------


def _digest(rows_per_table: Iterator[list[tuple]]) -> str:
    h = hashlib.sha256()
    for rows in rows_per_table:
        h.update("\n".join(sorted(repr(tuple(r)) for r in rows)).encode())
        h.update(b"\0")
    return h.hexdigest()


class Probe:
    """Reads one database. It is opened right after the schema load and judges the tables
    that existed then: those of the schema, not what seedbed adds (its run records)."""

    def tables(self) -> list[str]:
        """The tables that must hold rows."""
        raise NotImplementedError

    def is_empty(self, table: str) -> bool:
        raise NotImplementedError

    def structure(self) -> set[str]:
        """Indexes, constraints and triggers, one line each: a seed must leave them as it found them."""
        raise NotImplementedError

    def valid_constraints(self) -> set[str]:
        """Constraints the database holds as validated (PostgreSQL's NOT VALID is the opposite)."""
        return set()

    def orphans(self) -> list[str]:
        raise NotImplementedError

    def duplicates(self) -> list[str]:
        raise NotImplementedError

    def check_violations(self) -> list[str]:
        raise NotImplementedError

    def snapshot(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def open_probe(dialect: str, url: str) -> Probe:
    return {"postgres": PgProbe, "mysql": MySqlProbe, "sqlite": SqliteProbe}[dialect](url)


def _nonzero(results: Iterator[tuple[str, int]]) -> list[str]:
    return [f"{what}: {n} row(s)" for what, n in results if n]


class PgProbe(Probe):
    # ordinary and partitioned tables of the schema; tables an extension owns are its own business
    SCOPE = r"""
        SELECT c.oid, c.oid::regclass::text, c.relkind, c.relispartition
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
          AND NOT EXISTS (SELECT FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 2"""

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        rows = self.conn.execute(self.SCOPE).fetchall()
        self.oids = [r[0] for r in rows]
        # partitions count through their parent, INHERITS children on their own (and in their parent's count)
        self._tables = [r[1] for r in rows if not r[3]]
        # rows live in ordinary tables only; a partitioned parent has no storage of its own
        self._storage = [r[1] for r in rows if r[2] == "r"]

    def _all(self, sql: str) -> list[tuple]:
        return self.conn.execute(sql, {"scope": self.oids}).fetchall()

    def tables(self) -> list[str]:
        return self._tables

    def is_empty(self, table: str) -> bool:
        return not self.conn.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone()[0]

    def structure(self) -> set[str]:
        # NOT VALID is left out: a seed may validate a constraint the schema left unvalidated;
        # valid_constraints() catches the other way round. Internal (foreign-key) triggers are
        # named by their constraint, as a rebuilt key gets new trigger names.
        rows = self._all("""
            SELECT conrelid::regclass::text, 'constraint ' || conname,
                   replace(pg_get_constraintdef(oid), ' NOT VALID', '')
            FROM pg_constraint WHERE conrelid = ANY(%(scope)s)
            UNION ALL
            SELECT indrelid::regclass::text, pg_get_indexdef(indexrelid), 'valid=' || indisvalid::text
            FROM pg_index WHERE indrelid = ANY(%(scope)s)
            UNION ALL
            SELECT t.tgrelid::regclass::text,
                   'trigger ' || CASE WHEN t.tgisinternal THEN 'of ' || c.conname ELSE t.tgname END,
                   'enabled=' || t.tgenabled::text
            FROM pg_trigger t LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint
            WHERE t.tgrelid = ANY(%(scope)s)""")
        return {" ".join(r) for r in rows}

    def valid_constraints(self) -> set[str]:
        rows = self._all("""
            SELECT conrelid::regclass::text || ' ' || conname FROM pg_constraint
            WHERE contype IN ('c', 'f') AND convalidated AND conrelid = ANY(%(scope)s)""")
        return {r[0] for r in rows}

    def _count(self, sql: str) -> int:
        return self.conn.execute(sql).fetchone()[0]

    def orphans(self) -> list[str]:
        # a key on a partitioned table is checked once, at the top (conparentid = 0), over all
        # its partitions; a key on an ordinary table sees that table's rows only (ONLY), and
        # only the referenced table's own rows, as PostgreSQL's check does
        rows = self._all("""
            SELECT c.conname, c.conrelid::regclass::text, cr.relkind = 'r',
                   c.confrelid::regclass::text, fr.relkind = 'r', c.confmatchtype = 'f',
                   ARRAY(SELECT quote_ident(attname) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY k.i),
                   ARRAY(SELECT quote_ident(attname) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY k.i)
            FROM pg_constraint c JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_class fr ON fr.oid = c.confrelid
            WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid = ANY(%(scope)s)
            ORDER BY 2, 1""")
        return _nonzero((f"{r[1]} {r[0]} -> {r[3]}", self._count(_orphan_sql(*r[1:]))) for r in rows)

    def duplicates(self) -> list[str]:
        # indnullsnotdistinct is PostgreSQL 15+: read through jsonb, where older servers lack the key
        rows = self._all("""
            SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, r.relkind = 'r',
                   ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k),
                   pg_get_expr(i.indpred, i.indrelid, true),
                   coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false)
            FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid
            WHERE i.indisunique AND i.indrelid = ANY(%(scope)s)
            ORDER BY 2, 1""")
        out = []
        for index, table, only, keys, predicate, nulls_equal in rows:
            where = [f"({predicate})"] if predicate else []
            if not nulls_equal:  # rows with a NULL key never collide
                where += [f"({k}) IS NOT NULL" for k in keys]
            sql = (
                f"SELECT count(*) FROM (SELECT FROM {'ONLY ' if only else ''}{table}"
                f"{' WHERE ' + ' AND '.join(where) if where else ''}"
                f" GROUP BY {', '.join(f'({k})' for k in keys)} HAVING count(*) > 1) d"
            )
            out.append((f"{table} {index} ({', '.join(keys)})", self._count(sql)))
        return [f"{what}: {n} duplicated key(s)" for what, n in out if n]

    def check_violations(self) -> list[str]:
        # every CHECK re-evaluated on the rows of its own table (ONLY: a NO INHERIT one such as
        # CHECK (false) on an INHERITS parent must not see the children's rows); NULL passes
        rows = self._all("""
            SELECT c.conrelid::regclass::text, c.conname, pg_get_expr(c.conbin, c.conrelid)
            FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
            WHERE c.contype = 'c' AND r.relkind = 'r' AND c.conrelid = ANY(%(scope)s)
            ORDER BY 1, 2""")
        return _nonzero(
            (f"{table} {name} CHECK ({expr})", self._count(f"SELECT count(*) FROM ONLY {table} WHERE NOT ({expr})"))
            for table, name, expr in rows
        )

    def snapshot(self) -> str:
        return _digest(self.conn.execute(f"SELECT * FROM ONLY {t}").fetchall() for t in self._storage)

    def close(self) -> None:
        self.conn.close()


def _orphan_sql(child: str, child_only: bool, parent: str, parent_only: bool, full: bool, cols, refs) -> str:
    """Rows of ``child`` whose key is not in ``parent``: with MATCH SIMPLE a key with any NULL is
    not checked; with MATCH FULL only an all-NULL key is exempt and a partly NULL one is an orphan."""
    missing = (
        f"NOT EXISTS (SELECT FROM {'ONLY ' if parent_only else ''}{parent} p "
        f"WHERE {' AND '.join(f'p.{r} = c.{k}' for k, r in zip(cols, refs))})"
    )
    if full:
        where = f"NOT ({' AND '.join(f'c.{k} IS NULL' for k in cols)}) AND ({missing})"
    else:
        where = " AND ".join([*(f"c.{k} IS NOT NULL" for k in cols), missing])
    return f"SELECT count(*) FROM {'ONLY ' if child_only else ''}{child} c WHERE {where}"


def _bq(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class MySqlProbe(Probe):
    """MariaDB, read through information_schema (its CHECK_CONSTRAINTS has a TABLE_NAME, MySQL's has not)."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        self.db = make_url(url).database
        self.conn = _mysql_admin(url)
        self._tables = [
            r[0]
            for r in self._all(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s"
                " AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY 1"
            )
        ]
        self._scope = set(self._tables)

    def _all(self, sql: str) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(sql, (self.db,) * sql.count("%s"))
            return list(cur.fetchall())

    def _count(self, sql: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0]

    def q(self, table: str, db: str | None = None) -> str:
        return f"{_bq(db or self.db)}.{_bq(table)}"

    def tables(self) -> list[str]:
        return self._tables

    def is_empty(self, table: str) -> bool:
        return not self._count(f"SELECT EXISTS (SELECT 1 FROM {self.q(table)})")

    def structure(self) -> set[str]:
        rows = self._all("""
            SELECT TABLE_NAME, CONCAT('index ', INDEX_NAME, ' unique=', 1 - NON_UNIQUE, ' ', INDEX_TYPE, ' ',
                   GROUP_CONCAT(CONCAT(COLUMN_NAME, IFNULL(CONCAT('(', SUB_PART, ')'), '')) ORDER BY SEQ_IN_INDEX),
                   ' ', COMMENT)
            FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s
            GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE, COMMENT
            UNION ALL
            SELECT TABLE_NAME, CONCAT('constraint ', CONSTRAINT_NAME, ' ', CONSTRAINT_TYPE)
            FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s
            UNION ALL
            SELECT TABLE_NAME, CONCAT('foreign key ', CONSTRAINT_NAME, ' -> ', REFERENCED_TABLE_NAME,
                   ' on update ', UPDATE_RULE, ' on delete ', DELETE_RULE)
            FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s
            UNION ALL
            SELECT TABLE_NAME, CONCAT('check ', CONSTRAINT_NAME, ' ', CHECK_CLAUSE)
            FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s
            UNION ALL
            SELECT EVENT_OBJECT_TABLE, CONCAT('trigger ', TRIGGER_NAME, ' ', ACTION_TIMING, ' ', EVENT_MANIPULATION)
            FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s""")
        return {f"{table} {what}" for table, what in rows if table in self._scope}

    def _keys(self, sql: str) -> dict[tuple[str, str], list[tuple]]:
        """Catalog rows grouped by (table, constraint or index), in column order."""
        grouped: dict[tuple[str, str], list[tuple]] = {}
        for table, name, *rest in self._all(sql):
            if table in self._scope:
                grouped.setdefault((table, name), []).append(tuple(rest))
        return grouped

    def orphans(self) -> list[str]:
        keys = self._keys("""
            SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,
                   REFERENCED_COLUMN_NAME
            FROM information_schema.KEY_COLUMN_USAGE
            WHERE TABLE_SCHEMA = %s AND REFERENCED_TABLE_NAME IS NOT NULL
            ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION""")
        out = []
        for (table, name), cols in keys.items():
            parent = self.q(cols[0][2], cols[0][1])
            match = " AND ".join(f"p.{_bq(ref)} = c.{_bq(col)}" for col, _, _, ref in cols)
            not_null = " AND ".join(f"c.{_bq(col)} IS NOT NULL" for col, *_ in cols)
            missing = f"NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
            sql = f"SELECT count(*) FROM {self.q(table)} c WHERE {not_null} AND {missing}"
            out.append((f"{table} {name} -> {cols[0][2]}", self._count(sql)))
        return _nonzero(out)

    def duplicates(self) -> list[str]:
        keys = self._keys("""
            SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = %s AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX""")
        out = []
        for (table, index), cols in keys.items():
            # a prefix index is unique on the prefix only
            exprs = [f"LEFT({_bq(col)}, {part})" if part else _bq(col) for col, part in cols]
            sql = (
                f"SELECT count(*) FROM (SELECT 1 FROM {self.q(table)}"
                f" WHERE {' AND '.join(f'{e} IS NOT NULL' for e in exprs)}"
                f" GROUP BY {', '.join(exprs)} HAVING count(*) > 1) d"
            )
            out.append((f"{table} {index} ({', '.join(exprs)})", self._count(sql)))
        return [f"{what}: {n} duplicated key(s)" for what, n in out if n]

    def check_violations(self) -> list[str]:
        # a load can turn CHECKs off for its session (check_constraint_checks=0): count again
        rows = self._all(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
            " WHERE CONSTRAINT_SCHEMA = %s ORDER BY 1, 2"
        )
        return _nonzero(
            (
                f"{table} {name} CHECK ({clause})",
                self._count(f"SELECT count(*) FROM {self.q(table)} WHERE NOT ({clause})"),
            )
            for table, name, clause in rows
            if table in self._scope
        )

    def snapshot(self) -> str:
        def rows(table: str) -> list[tuple]:
            with self.conn.cursor() as cur:
                cur.execute(f"SELECT * FROM {self.q(table)}")
                return list(cur.fetchall())

        return _digest(rows(t) for t in self._tables)

    def close(self) -> None:
        self.conn.close()


class SqliteProbe(Probe):
    def __init__(self, url: str):
        self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        # the tables of the schema; a virtual table (a full-text index) is its module's, filled by
        # the application from its own tables, and seedbed leaves it out saying so
        self._tables = [
            name
            for schema, name, kind, *_ in self.conn.execute("PRAGMA table_list")
            if schema == "main" and kind == "table" and not name.startswith("sqlite_")
        ]
        self._tables.sort()
        self._scope = set(self._tables)

    @staticmethod
    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def tables(self) -> list[str]:
        return self._tables

    def is_empty(self, table: str) -> bool:
        return not self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {self.q(table)})").fetchone()[0]

    def structure(self) -> set[str]:
        rows = self.conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        return {f"{table} {kind} {name} {sql}" for kind, name, table, sql in rows if table in self._scope}

    def orphans(self) -> list[str]:
        try:
            found = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        except sqlite3.Error as err:  # a key whose parent columns are not unique ("foreign key mismatch")
            return [f"PRAGMA foreign_key_check: {err}"]
        counts: dict[str, int] = {}
        for table, _rowid, parent, fkid in found:
            if table in self._scope:
                what = f"{table} foreign key #{fkid} -> {parent}"
                counts[what] = counts.get(what, 0) + 1
        return _nonzero(iter(counts.items()))

    def duplicates(self) -> list[str]:
        return []  # SQLite enforces every UNIQUE index; integrity_check below finds an index out of step

    def check_violations(self) -> list[str]:
        # integrity_check re-checks CHECK and NOT NULL constraints and every index against its table
        return [f"PRAGMA integrity_check: {r[0]}" for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]

    def snapshot(self) -> str:
        return _digest(self.conn.execute(f"SELECT * FROM {self.q(t)}").fetchall() for t in self._tables)

    def close(self) -> None:
        self.conn.close()
