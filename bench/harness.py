"""``python -m bench``: measure seedbed against its targets and print a table.

Sections (``--only``): pg, mysql, sqlite (S1 end to end vs the database's own CSV
loader), faker (rows/s vs a Faker-per-row seeder), gen (generation to a null sink),
rss (peak RSS at scale 1 and the big scale, and the time ratio between them), rerun
(a rerun of a completed run vs the first run).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.dbs import PREFIX, MariaDB, Postgres, SQLite, TableCsv, check_counts, check_same_schema, count_warnings
from bench.proc import BenchError, Run, Runner
from bench.report import Figure, table

SECTIONS = ("pg", "mysql", "sqlite", "faker", "gen", "rss", "rerun", "purge", "reset", "pgbench", "dask")
RECIPE = "scale-seed"


@dataclass
class Meta:
    """What the plan says at one scale: load order, columns, rows."""

    scale: float
    tables: list[TableCsv]  # path unset until the CSVs exist

    @property
    def counts(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}

    @property
    def total(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def values(self) -> int:
        return sum(t.rows * len(t.columns) for t in self.tables)


def plan_meta(scale: float, seed: int) -> Meta:
    import pyarrow as pa

    from seedbed.run.options import SeedOptions
    from seedbed.run.prepare import plan_for
    from seedbed.run.source import source_from

    plan, ctx = plan_for(source_from(recipe=RECIPE), SeedOptions(seed=seed, scale=scale, manifest_dir=None))
    tables = []
    for name in plan.order:
        spec = ctx.spec(name)
        cols = list(spec.written)
        tables.append(
            TableCsv(
                name=name,
                path=Path(),
                columns=cols,
                nullable=[spec.table.column(c).nullable for c in cols],
                instant=[pa.types.is_timestamp(spec.arrow_schema.field(c).type) for c in cols],
                rows=ctx.rows(name),
            )
        )
    return Meta(scale, tables)


def recipe_ddl() -> str:
    from seedbed.recipes import load_recipe

    return load_recipe(RECIPE).ddl


class Bench:
    def __init__(self, args: argparse.Namespace, cmdline: str):
        self.a = args
        self.cmdline = cmdline
        self.only = args.only
        self.work = Path(tempfile.mkdtemp(prefix="seedbed-bench-", dir=args.workdir))
        (self.work / "logs").mkdir()
        self.runner = Runner(self.work / "logs")
        self.figures: dict[str, Figure] = {}
        self.metas: dict[float, Meta] = {}
        self.csvs: dict[float, list[TableCsv]] = {}
        self.pg = Postgres(args.pg_url)
        self.my = MariaDB(args.mysql_url)
        self.lite = SQLite(self.work)
        self.checked: dict[str, str | BenchError] = {}
        self.servers: dict[str, str] = {}
        self.ddl = recipe_ddl()
        self.ddl_path = self.work / "schema.pg.sql"
        self.ddl_path.write_text(self.ddl)
        self.python = sys.executable
        script = Path(sys.executable).parent / "seedbed"
        self.seedbed = [str(script)] if script.exists() else [sys.executable, "-m", "seedbed.cli.app"]
        self._n = 0
        # PostgreSQL seed runs by scale, reused by rss/rerun: (run, database kept or None)
        self.pg_seeds: dict[float, Run] = {}
        self.pg_kept: tuple[Run, str] | None = None
        self.copy_rates: dict[float, float] = {}  # psql \copy rows/s by scale, from the pg section
        self.faker_scale = args.faker_scale or args.scale
        self.sigs: dict[tuple[str, str], set[str]] = {}  # (kind, seed|base) -> indexes and constraints

    # -- helpers ---------------------------------------------------------------
    def name(self, what: str) -> str:
        self._n += 1
        return f"{PREFIX}_{os.getpid()}_{self._n}_{what}"

    def timeout(self, scale: float) -> float:
        return self.a.timeout if self.a.timeout else 300 + 900 * scale

    def meta(self, scale: float) -> Meta:
        if scale not in self.metas:
            self.metas[scale] = plan_meta(scale, self.a.seed)
        return self.metas[scale]

    def fig(self, fid: str, name: str, target: float | None, op: str = "<=", unit: str = "x") -> Figure:
        f = Figure(fid, name, target, op, unit)
        self.figures[fid] = f
        return f

    def check(self, what: str) -> str:
        """Preflight of a server/tool, once; raises BenchError with a clear reason."""
        if what not in self.checked:
            try:
                if what == "pg":
                    self.checked[what] = self.pg.check()
                elif what == "mysql":
                    self.checked[what] = self.my.check(self.python)
                elif what == "sqlite":
                    self.checked[what] = self.lite.check()
                elif what == "faker":
                    from bench.dbs import _quick

                    _quick([self.python, "-c", "import faker, psycopg"], timeout=60)
                    self.checked[what] = "faker + psycopg"
            except BenchError as err:
                self.checked[what] = err
            if not isinstance(self.checked[what], BenchError):
                self.servers[what] = self.checked[what]
                print(f"  {what}: {self.checked[what]}")
        got = self.checked[what]
        if isinstance(got, BenchError):
            raise got
        return got

    def seed_cmd(self, url: str, scale: float, mdir: Path) -> list[str]:
        cmd = self.seedbed + [
            "seed",
            "--recipe",
            RECIPE,
            "--db",
            url,
            "--seed",
            str(self.a.seed),
            "--scale",
            f"{scale:g}",
            "--manifest-dir",
            str(mdir),
        ]
        if self.a.chunk_size:
            cmd += ["--chunk-size", str(self.a.chunk_size)]
        return cmd

    def run_seed(self, label: str, url: str, scale: float) -> Run:
        mdir = self.work / "manifests" / label.replace(" ", "_")
        run = self.runner.run(label, self.seed_cmd(url, scale, mdir), timeout=self.timeout(scale), cwd=self.work)
        self._attach_manifest(run, mdir)
        return run

    def _attach_manifest(self, run: Run, mdir: Path) -> None:
        files = sorted(mdir.glob("*.json"))
        if not files:
            return
        m = json.loads(files[-1].read_text())
        run.extra["manifest_seconds"] = m.get("seconds")
        run.extra["inserted"] = sum(int(t.get("inserted", 0)) for t in m.get("tables", {}).values())
        run.extra["table_seconds"] = {k: v.get("seconds") for k, v in m.get("tables", {}).items()}
        run.extra["index_seconds"] = m.get("index_seconds")
        run.extra["load_paths"] = sorted({v.get("path") for v in m.get("tables", {}).values() if v.get("path")})

    def csv_files(self, scale: float) -> list[TableCsv]:
        """seedbed export --format csv at this scale (once; not timed)."""
        if scale in self.csvs:
            return self.csvs[scale]
        out = self.work / f"csv-{scale:g}"
        cmd = self.seedbed + [
            "export",
            "--recipe",
            RECIPE,
            "--seed",
            str(self.a.seed),
            "--scale",
            f"{scale:g}",
            "--format",
            "csv",
            "--out",
            str(out),
        ]
        if self.a.chunk_size:
            cmd += ["--chunk-size", str(self.a.chunk_size)]
        print("  preparing the baselines' CSV files (not timed):")
        self.runner.run(f"prep export csv {scale:g}", cmd, timeout=self.timeout(scale), cwd=self.work)
        tables = []
        for t in self.meta(scale).tables:
            path = out / f"{t.name}.csv"
            with open(path, encoding="utf-8") as fh:
                header = [h.strip('"') for h in fh.readline().rstrip("\n").split(",")]
            if header != t.columns:
                raise BenchError(f"{path}: columns {header} differ from the plan's {t.columns}")
            tables.append(TableCsv(t.name, path, t.columns, t.nullable, t.instant, t.rows))
        self.csvs[scale] = tables
        return tables

    def median_pairs(self, fig: Figure, seeds: list[Run], bases: list[Run], base_name: str) -> None:
        s = statistics.median(r.wall for r in seeds)
        b = statistics.median(r.wall for r in bases)
        fig.measured = s / b
        fig.parts = {
            "seedbed_s": [round(r.wall, 3) for r in seeds],
            "baseline_s": [round(r.wall, 3) for r in bases],
            "seedbed_peak_rss_mb": max(r.maxrss_mb for r in seeds),
        }
        reps = f" (median of {len(seeds)})" if len(seeds) > 1 else ""
        fig.detail = f"seedbed seed {s:.2f}s{reps} / {base_name} {b:.2f}s"

    # -- sections ----------------------------------------------------------------
    def s1(self, kind: str) -> None:
        """S1 at --scale end to end vs the database's own CSV loader, side by side."""
        label = {"pg": "PostgreSQL", "mysql": "MariaDB", "sqlite": "SQLite"}[kind]
        base_name = {"pg": "psql \\copy", "mysql": "mariadb LOAD DATA LOCAL INFILE", "sqlite": "sqlite3 .import"}[kind]
        target = {"pg": 0.25, "mysql": 0.5, "sqlite": 0.8}[kind]  # ahead of the database's own loader
        fig = self.fig(f"{kind}_s1", f"S1 {self.a.scale:g} {label}: seedbed seed / {base_name}", target)
        self.check(kind)
        scale = self.a.scale
        meta = self.meta(scale)
        tables = self.csv_files(scale)
        seeds, bases = [], []
        for i in range(self.a.repeat):
            for what in ("seed", "base") if i % 2 == 0 else ("base", "seed"):
                if what == "seed":
                    seeds.append(
                        self._s1_seed(
                            kind, scale, meta, keep=(kind == "pg" and i == self.a.repeat - 1 and "rerun" in self.only)
                        )
                    )
                else:
                    bases.append(self._s1_base(kind, tables, meta))
        check_same_schema(f"seedbed seed ({label})", self.sigs[(kind, "seed")], self.sigs[(kind, "base")])
        self.median_pairs(fig, seeds, bases, base_name)
        fig.detail += f"; same {len(self.sigs[(kind, 'base')])} indexes/constraints at the end"
        s = statistics.median(r.wall for r in seeds)
        if kind == "pg":
            self.copy_rates[scale] = meta.total / statistics.median(r.wall for r in bases)
            self.pg_seeds[scale] = max(seeds, key=lambda r: r.maxrss_kb)
            f2 = self.fig(
                "pg_rows_s", f"seedbed rows/s into PostgreSQL at scale {scale:g} (end to end)", None, unit="rows/s"
            )
            f2.measured = meta.total / s
            f2.detail = f"{meta.total:,} rows in {s:.2f}s, peak RSS {max(r.maxrss_mb for r in seeds):.0f} MB"
        if kind == "mysql":
            warn = [r.extra.get("warnings", 0) for r in bases]
            if any(warn):
                fig.detail += f"; baseline warnings: {max(warn)} ({bases[-1].extra.get('first_warnings')})"

    def _s1_seed(self, kind: str, scale: float, meta: Meta, keep: bool = False) -> Run:
        if kind == "pg":
            db = self.pg.create(self.name("seed"))
            self.pg.settle()
            run = self.run_seed(f"seedbed seed pg {scale:g}", self.pg.db_url(db), scale)
            check_counts("seedbed seed (PostgreSQL)", self.pg.counts(db, list(meta.counts)), meta.counts)
            self.sigs[(kind, "seed")] = self.pg.signature(db)
            if keep:
                if self.pg_kept:
                    self.pg.drop(self.pg_kept[1])
                self.pg_kept = (run, db)
            else:
                self.pg.drop(db)
        elif kind == "mysql":
            db = self.my.create(self.name("seed"))
            run = self.run_seed(f"seedbed seed mysql {scale:g}", self.my.db_url(db), scale)
            check_counts("seedbed seed (MariaDB)", self.my.counts(db, list(meta.counts)), meta.counts)
            self.sigs[(kind, "seed")] = self.my.signature(db)
            self.my.drop(db)
        else:
            path = self.lite.create(self.name("seed"))
            self.lite.settle()
            run = self.run_seed(f"seedbed seed sqlite {scale:g}", self.lite.db_url(path), scale)
            check_counts("seedbed seed (SQLite)", self.lite.counts(path, list(meta.counts)), meta.counts)
            self.sigs[(kind, "seed")] = self.lite.signature(path)
            self.lite.drop(path)
        return run

    def _s1_base(self, kind: str, tables: list[TableCsv], meta: Meta) -> Run:
        t = self.timeout(self.a.scale)
        if kind == "pg":
            db = self.pg.create(self.name("copy"))
            self.pg.create_schema(db, self.ddl_path)
            self.pg.settle()
            run = self.runner.run("baseline psql \\copy", self.pg.load_cmd(db, tables), timeout=t, env=self.pg.env)
            check_counts("psql \\copy baseline", self.pg.counts(db, list(meta.counts)), meta.counts)
            self.sigs[(kind, "base")] = self.pg.signature(db)
            self.pg.drop(db)
        elif kind == "mysql":
            db = self.my.create(self.name("load"))
            self.my.create_schema(db, self.ddl)
            run = self.runner.run(
                "baseline mariadb LOAD DATA", self.my.load_cmd(db, tables), timeout=t, env=self.my.env
            )
            n, first = count_warnings(run.log.read_text(errors="replace"))
            run.extra["warnings"], run.extra["first_warnings"] = n, first
            check_counts("LOAD DATA baseline", self.my.counts(db, list(meta.counts)), meta.counts)
            self.sigs[(kind, "base")] = self.my.signature(db)
            self.my.drop(db)
        else:
            path = self.lite.create(self.name("import"))
            self.lite.create_schema(path, self.ddl)
            script = self.lite.load_script(tables, self.work / "import.sqlite3")
            self.lite.settle()
            run = self.runner.run("baseline sqlite3 .import", self.lite.load_cmd(path), timeout=t, stdin=script)
            check_counts("sqlite3 .import baseline", self.lite.counts(path, list(meta.counts)), meta.counts)
            self.sigs[(kind, "base")] = self.lite.signature(path)
            self.lite.drop(path)
        return run

    def rerun(self) -> None:
        fig = self.fig("rerun", f"rerun of a completed run / first run (PostgreSQL, scale {self.a.scale:g})", 0.05)
        self.check("pg")
        scale = self.a.scale
        meta = self.meta(scale)
        if self.pg_kept is None:
            db = self.pg.create(self.name("rerun"))
            self.pg.settle()
            first = self.run_seed(f"seedbed seed pg {scale:g} (first)", self.pg.db_url(db), scale)
            check_counts("seedbed seed (PostgreSQL)", self.pg.counts(db, list(meta.counts)), meta.counts)
            self.pg_kept = (first, db)
        first, db = self.pg_kept
        self.pg.settle()
        again = self.run_seed(f"seedbed seed pg {scale:g} (rerun)", self.pg.db_url(db), scale)
        check_counts("seedbed rerun (PostgreSQL)", self.pg.counts(db, list(meta.counts)), meta.counts)
        self.pg.drop(db)
        self.pg_kept = None
        fig.measured = again.wall / first.wall
        fig.parts = {
            "first_s": round(first.wall, 3),
            "rerun_s": round(again.wall, 3),
            "rerun_inserted": again.extra.get("inserted"),
        }
        fig.detail = (
            f"rerun {again.wall:.2f}s (inserted {again.extra.get('inserted', '?')} rows) / first run {first.wall:.2f}s"
        )

    def pgbench(self) -> None:
        """seedbed against ``pgbench -i -I dtgpf`` on pgbench's own schema and counts, at 10 and 30."""
        from bench import pgbench

        self.check("pg")
        for fig in pgbench.measure(self.pg, self.seedbed, self.work, [10, 30], self.a.repeat):
            self.figures[fig.id] = fig

    def dask(self) -> None:
        """Dask export throughput with 1 and 2 workers, and the efficiency of the second."""
        from bench import dask_export

        figs = dask_export.measure(
            self.python, self.runner, _last_json, self.a.scale, self.a.seed, 200_000, self.timeout(self.a.scale)
        )
        for fig in figs:
            self.figures[fig.id] = fig

    def reset(self) -> None:
        """The pytest plugin's per-test copy against seeding each test's database afresh."""
        from bench import reset

        for fig in reset.measure(self.a.pg_url, self.a.mysql_url, self.a.repeat):
            self.figures[fig.id] = fig

    def purge(self) -> None:
        """Purge of S1 right after its seed: every row of the seed deleted, in the time the seed took at most."""
        scale = self.a.scale
        fig = self.fig("purge", f"purge / seed of S1 (PostgreSQL, scale {scale:g})", 1.0)
        self.check("pg")
        meta = self.meta(scale)
        db = self.pg.create(self.name("purge"))
        try:
            self.pg.settle()
            seeded = self.run_seed(f"seedbed seed pg {scale:g} (to purge)", self.pg.db_url(db), scale)
            check_counts("seedbed seed (PostgreSQL)", self.pg.counts(db, list(meta.counts)), meta.counts)
            self.pg.settle()
            cmd = self.seedbed + ["purge", "--recipe", RECIPE, "--db", self.pg.db_url(db), "--seed", str(self.a.seed)]
            purged = self.runner.run(f"seedbed purge pg {scale:g}", cmd, timeout=self.timeout(scale), cwd=self.work)
            left = sum(self.pg.counts(db, list(meta.counts)).values())
            if left:
                raise BenchError(f"purge left {left} rows of the seed")
        finally:
            self.pg.drop(db)
        fig.measured = purged.wall / seeded.wall
        fig.parts = {"seed_s": round(seeded.wall, 3), "purge_s": round(purged.wall, 3)}
        fig.detail = f"purge {purged.wall:.2f}s / seed {seeded.wall:.2f}s"

    def faker(self) -> None:
        fs = self.faker_scale
        fig = self.fig("faker", f"seedbed rows/s / Faker-per-row seeder rows/s (scale {fs:g}, PostgreSQL)", 50, op=">=")
        self.check("pg")
        self.check("faker")
        meta = self.meta(fs)
        counts = self.work / f"counts-{fs:g}.json"
        counts.write_text(json.dumps(meta.counts))
        seeds, fakers, faker_rows = [], [], []
        for i in range(self.a.repeat):
            for what in ("seed", "faker") if i % 2 == 0 else ("faker", "seed"):
                db = self.pg.create(self.name(what))
                self.pg.settle()
                if what == "seed":
                    seeds.append(self.run_seed(f"seedbed seed pg {fs:g}", self.pg.db_url(db), fs))
                else:
                    cmd = [
                        self.python,
                        "-m",
                        "bench.faker_seeder",
                        "--db",
                        self.pg.db_url(db),
                        "--counts",
                        str(counts),
                        "--ddl",
                        str(self.ddl_path),
                        "--seed",
                        str(self.a.seed),
                    ]
                    r = self.runner.run(
                        f"faker seeder pg {fs:g}",
                        cmd,
                        timeout=self.a.timeout or 300 + 900 * fs,
                        cwd=Path(__file__).resolve().parent.parent,
                    )
                    out = _last_json(r)
                    faker_rows.append(out["rows"])
                    got = self.pg.counts(db, list(meta.counts))
                    if sum(got.values()) != out["rows"]:
                        raise BenchError(
                            f"the Faker seeder says {out['rows']} rows, the database has {sum(got.values())}"
                        )
                    fakers.append(r)
                self.pg.drop(db)
        s = statistics.median(r.wall for r in seeds)
        f = statistics.median(r.wall for r in fakers)
        seed_rate, faker_rate = meta.total / s, statistics.median(faker_rows) / f
        fig.measured = seed_rate / faker_rate
        fig.parts = {
            "seedbed_rows": meta.total,
            "seedbed_s": [round(r.wall, 3) for r in seeds],
            "faker_rows": faker_rows,
            "faker_s": [round(r.wall, 3) for r in fakers],
            "seedbed_rows_per_s": seed_rate,
            "faker_rows_per_s": faker_rate,
        }
        fig.detail = (
            f"seedbed {meta.total:,} rows in {s:.2f}s = {seed_rate:,.0f} rows/s; Faker "
            f"{statistics.median(faker_rows):,.0f} rows in {f:.2f}s = {faker_rate:,.0f} rows/s "
            "(both end to end incl. interpreter start and schema creation)"
        )
        self.faker_rate = faker_rate
        copy_rate = self.copy_rates.get(fs)
        if copy_rate is not None:
            # what the same rows cost a loader that generates nothing: the database's own, from ready files
            b = self.fig("faker_copy", f"psql \\copy rows/s / Faker rows/s (scale {fs:g}; ready-made files)", None)
            b.measured = copy_rate / faker_rate
            idx = [r.extra.get("index_seconds") for r in seeds if r.extra.get("index_seconds") is not None]
            b.detail = (
                f"{copy_rate:,.0f} / {faker_rate:,.0f} rows/s: the ratio a loader with no generation "
                f"cost reaches; seedbed's own run spent {statistics.median(idx) if idx else 0:.2f}s "
                "rebuilding indexes and keys alone"
            )

    def faker_steady(self) -> None:
        """Informational: seedbed's rows/s at --scale over the Faker seeder's at a smaller scale."""
        pgr = self.figures.get("pg_rows_s")
        rate = getattr(self, "faker_rate", None)
        if pgr is None or pgr.measured is None or rate is None or self.a.scale == self.faker_scale:
            return
        f = self.fig(
            "faker_steady", f"seedbed rows/s at scale {self.a.scale:g} / Faker rows/s at {self.faker_scale:g}", None
        )
        f.measured = pgr.measured / rate
        f.detail = f"{pgr.measured:,.0f} / {rate:,.0f} rows/s (not the same counts: a hint, not the target)"

    def gen(self) -> None:
        fig = self.fig(
            "gen",
            f"generation to a null sink, values/s per core (scale {self.a.scale:g})",
            2e6,
            op=">=",
            unit="values/s",
        )
        cmd = [self.python, "-m", "bench.gen", "--scale", f"{self.a.scale:g}", "--seed", str(self.a.seed)]
        if self.a.chunk_size:
            cmd += ["--chunk-size", str(self.a.chunk_size)]
        r = self.runner.run(
            f"generation {self.a.scale:g}",
            cmd,
            timeout=self.timeout(self.a.scale),
            cwd=Path(__file__).resolve().parent.parent,
        )
        out = _last_json(r)
        fig.measured = out["values_per_cpu_s"]
        top = sorted(out["tables"].items(), key=lambda kv: -kv[1]["cpu_s"])[:3]
        share = ", ".join(
            f"{k} {v['cpu_s'] / out['cpu_s']:.0%} ({v['values'] / v['cpu_s'] / 1e6:.2f} M/s)"
            for k, v in top
            if v["cpu_s"]
        )
        fig.detail = (
            f"{out['values']:,} values ({out['rows']:,} rows) in {out['cpu_s']:.2f} CPU-s "
            f"({out['wall_s']:.2f}s wall); CPU by table: {share}"
        )
        fig.parts = out

    def rss(self) -> None:
        big = self.a.big_scale
        f1 = self.fig("rss_1", "peak RSS of seedbed seed at scale 1 (PostgreSQL)", 300, unit="MB")
        fb = self.fig("rss_big", f"peak RSS of seedbed seed at scale {big:g} (PostgreSQL)", 300, unit="MB")
        fs = self.fig("scaling", f"time at scale {big:g} / time at scale 1 (PostgreSQL)", round(1.1 * big, 3))
        if self.a.skip_big:
            fb.skipped = fs.skipped = "--skip-big"
        self.check("pg")
        one = self.pg_seeds.get(1.0)
        if one is None:
            one = self._pg_seed_once(1.0)
        f1.measured = one.maxrss_mb
        f1.detail = f"{self.meta(1.0).total:,} rows in {one.wall:.2f}s"
        if self.a.skip_big:
            return
        b = self._pg_seed_once(big)
        fb.measured = b.maxrss_mb
        fb.detail = f"{self.meta(big).total:,} rows in {b.wall:.2f}s"
        fs.measured = b.wall / one.wall
        fs.detail = f"{b.wall:.1f}s / {one.wall:.1f}s (rows x{self.meta(big).total / self.meta(1.0).total:.2f})"
        fs.parts = {"big_s": b.wall, "one_s": one.wall}

    def _pg_seed_once(self, scale: float) -> Run:
        meta = self.meta(scale)
        db = self.pg.create(self.name("rss"))
        try:
            self.pg.settle()
            run = self.run_seed(f"seedbed seed pg {scale:g}", self.pg.db_url(db), scale)
            check_counts(f"seedbed seed scale {scale:g}", self.pg.counts(db, list(meta.counts)), meta.counts)
        finally:
            self.pg.drop(db)
        self.pg_seeds[scale] = run
        return run

    # -- driver ------------------------------------------------------------------
    def guarded(self, title: str, fn, *fig_ids: str) -> None:
        print(f"\n== {title}", flush=True)
        t0 = time.perf_counter()
        try:
            fn()
        except BenchError as err:
            print(f"  ERROR: {err}", flush=True)
            for fid in fig_ids:
                f = self.figures.get(fid)
                if f is not None and f.measured is None and not f.skipped:
                    f.error = str(err)
        print(f"  ({time.perf_counter() - t0:.1f}s)", flush=True)

    def run(self) -> int:
        a = self.a
        sel = self.only
        plan = []
        if "pg" in sel:
            plan.append(("S1 into PostgreSQL vs psql \\copy", lambda: self.s1("pg"), "pg_s1"))
        if "rerun" in sel:
            plan.append(("rerun of a completed run (PostgreSQL)", self.rerun, "rerun"))
        if "purge" in sel:
            plan.append(("purge of S1 (PostgreSQL)", self.purge, "purge"))
        if "mysql" in sel:
            plan.append(("S1 into MariaDB vs LOAD DATA LOCAL INFILE", lambda: self.s1("mysql"), "mysql_s1"))
        if "sqlite" in sel:
            plan.append(("S1 into SQLite vs sqlite3 .import", lambda: self.s1("sqlite"), "sqlite_s1"))
        if "faker" in sel:
            plan.append(("seedbed vs a Faker-per-row seeder", self.faker, "faker"))
        if "gen" in sel:
            plan.append(("generation alone (null sink)", self.gen, "gen"))
        if "rss" in sel:
            plan.append(("peak RSS and scaling", self.rss, "rss_1", "rss_big", "scaling"))
        if "reset" in sel:
            plan.append(("pytest plugin: per-test reset vs seeding afresh", self.reset))
        if "pgbench" in sel:
            plan.append(("pgbench's schema and counts: seedbed vs pgbench -i", self.pgbench))
        if "dask" in sel:
            plan.append(("Dask export: 1 and 2 workers", self.dask, "dask_1", "dask_2", "dask_eff"))
        print(f"work folder: {self.work}")
        for title, fn, *ids in plan:
            # pre-create the figures so a failing preflight still shows its line
            self.guarded(title, fn, *ids)
            for fid in ids:
                if fid not in self.figures:
                    self.figures[fid] = _placeholder(fid, a)
                    self.figures[fid].error = "the section failed before measuring (see above)"
        self.faker_steady()
        return 0


def _placeholder(fid: str, a) -> Figure:
    names = {
        "pg_s1": (f"S1 {a.scale:g} PostgreSQL: seedbed seed / psql \\copy", 0.25, "<=", "x"),
        "mysql_s1": (f"S1 {a.scale:g} MariaDB: seedbed seed / mariadb LOAD DATA LOCAL INFILE", 0.5, "<=", "x"),
        "sqlite_s1": (f"S1 {a.scale:g} SQLite: seedbed seed / sqlite3 .import", 0.8, "<=", "x"),
        "dask_1": ("Dask export, 1 worker, rows/s", None, "<=", "rows/s"),
        "dask_2": ("Dask export, 2 workers, rows/s", None, "<=", "rows/s"),
        "dask_eff": ("Dask export efficiency at 2 workers (speed-up / 2)", 0.8, ">=", "x"),
        "faker": (f"seedbed rows/s / Faker-per-row seeder rows/s (scale {a.faker_scale or a.scale:g})", 50, ">=", "x"),
        "gen": ("generation to a null sink, values/s per core", 2e6, ">=", "values/s"),
        "rerun": ("rerun of a completed run / first run", 0.05, "<=", "x"),
        "purge": ("purge / seed of S1 (PostgreSQL)", 1.0, "<=", "x"),
        "rss_1": ("peak RSS of seedbed seed at scale 1", 300, "<=", "MB"),
        "rss_big": (f"peak RSS of seedbed seed at scale {a.big_scale:g}", 300, "<=", "MB"),
        "scaling": (f"time at scale {a.big_scale:g} / time at scale 1", 1.1 * a.big_scale, "<=", "x"),
    }
    n, t, op, unit = names[fid]
    return Figure(fid, n, t, op, unit)


def _last_json(run: Run) -> dict:
    for line in reversed(run.log.read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"{run.label}: no JSON result in its output ({run.log})")


ORDER = [
    "pg_s1",
    "mysql_s1",
    "sqlite_s1",
    "faker",
    "rss_1",
    "rss_big",
    "scaling",
    "rerun",
    "purge",
    "gen",
    "pg_rows_s",
    "faker_copy",
    "faker_steady",
    *(f"reset_{db}_{recipe}" for db in ("pg", "mysql", "sqlite") for recipe in ("rollout", "okr_tenant")),
    "pgbench_10",
    "pgbench_floor_10",
    "pgbench_30",
    "pgbench_floor_30",
    "dask_1",
    "dask_2",
    "dask_eff",
]


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="scale of the S1, rerun and generation figures (1.0)")
    ap.add_argument("--big-scale", type=float, default=10.0, help="the big scale of the RSS/scaling figures (10)")
    ap.add_argument("--skip-big", action="store_true", help="do not run the big scale (about 25M rows at 10)")
    ap.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)} (default: all)"
    )
    ap.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    ap.add_argument(
        "--faker-scale", type=float, help="scale of the Faker comparison (default: --scale, the same counts as S1)"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each side of a comparison, alternating which goes first; medians (1)",
    )
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--chunk-size", type=int, help="passed to seedbed (default: seedbed's own)")
    ap.add_argument(
        "--pg-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server (databases are created beside the one named)",
    )
    ap.add_argument("--mysql-url", default="mysql://root@127.0.0.1:3306/", help="MariaDB/MySQL server")
    ap.add_argument("--timeout", type=float, help="seconds per subprocess (default 300 + 900 x scale)")
    ap.add_argument("--workdir", help="where the temporary work folder goes (default: the system's temp)")
    ap.add_argument("--keep", action="store_true", help="keep the CSV files (logs are always kept)")
    a = ap.parse_args(argv)
    sel = [s.strip() for s in a.only.split(",") if s.strip()]
    bad = [s for s in sel if s not in SECTIONS]
    if bad:
        ap.error(f"unknown section(s) in --only: {', '.join(bad)} (choose from {', '.join(SECTIONS)})")
    a.only = sel
    if a.scale <= 0 or a.big_scale <= 0 or (a.faker_scale is not None and a.faker_scale <= 0):
        ap.error("scales must be greater than 0")
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    return a


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    a = parse(argv)
    cmdline = shlex.join(["python", "-m", "bench", *argv])

    def on_term(signum, frame):  # noqa: ARG001 - a kill cleans up like Ctrl-C does
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    print(f"command: {cmdline}")
    print(
        f"started: {started}; host: {platform.node()} {os.cpu_count()} CPUs, load {_load()}; "
        f"python {platform.python_version()}"
    )
    t0 = time.perf_counter()
    print("\n== preflight")
    try:
        import seedbed
    except ImportError:
        print("ERROR: seedbed is not importable: run with the project's venv (.venv/bin/python -m bench)")
        return 2
    code = _code_state(Path(seedbed.__file__).resolve())
    print(f"  seedbed {getattr(seedbed, '__version__', '?')} from {Path(seedbed.__file__).parent}; {code}")
    # an installed wheel has its bytecode compiled; an editable checkout may have none
    # (PYTHONDONTWRITEBYTECODE), and then every measured command compiles it again (~0.15 s)
    compileall.compile_dir(Path(seedbed.__file__).parent, quiet=1)
    b = Bench(a, cmdline)
    status = 0
    try:
        b.run()
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up")
        status = 130
    except SystemExit as stop:  # SIGTERM
        print("\nterminated: cleaning up")
        status = stop.code if isinstance(stop.code, int) else 143
    finally:
        b.pg.drop_all()
        b.my.drop_all()
        b.lite.drop_all()
        if b.pg_kept:
            b.pg_kept = None
        if not a.keep:
            for p in b.work.iterdir():
                if p.name != "logs":
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    figs = [b.figures[k] for k in ORDER if k in b.figures]
    elapsed = time.perf_counter() - t0
    print("\n== results")
    print(table(figs))
    print(f"\ncommand: {cmdline}")
    print(f"finished in {elapsed:.0f}s; load {_load()}; logs in {b.work / 'logs'}")
    if a.out:
        result = {
            "command": cmdline,
            "started": started,
            "code": code,
            "seconds": round(elapsed, 1),
            "host": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()},
            "servers": b.servers,
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()},
            "figures": [f.to_dict() for f in figs],
            "runs": [r.to_dict() for r in b.runner.runs],
        }
        a.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"results written to {a.out}")
    if status:
        return status
    return 2 if any(f.status == "ERROR" for f in figs) else 0


def _code_state(module_file: Path) -> str:
    """The commit the measured code is at, and how many files under src/ differ from it."""
    import subprocess

    repo = module_file.parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "."], capture_output=True, text=True, timeout=10
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "code: not a git checkout"
    if not sha:
        return "code: not a git checkout"
    return f"code: commit {sha}" + (f" + {len(dirty)} uncommitted file(s) in the package" if dirty else "")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"
