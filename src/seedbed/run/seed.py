"""Seeding a database: plan, check, create the schema if asked, load table by table.

A run is owned by (plan, seed). A first run appends rows by the bulk path; a rerun
of the same run inserts only the rows that are missing (so a completed run adds 0
and an interrupted one resumes). A different seed is a separate, disjoint run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from seedbed.dialects.names import short_name
from seedbed.engine import Context
from seedbed.engine.prefetch import prefetch
from seedbed.errors import LoadFailed, PlanError, SeedbedError
from seedbed.planning.resolved import ResolvedPlan, TableSpec
from seedbed.run import grow
from seedbed.run.cycles import check_cuts, nulled, set_deferred
from seedbed.run.digest import run_digest
from seedbed.run.intact import completed_and_intact
from seedbed.run.options import SeedOptions, run_options
from seedbed.run.parallel import Workers
from seedbed.run.prepare import (
    checked,
    for_server,
    key_bases,
    largest_key,
    plan_for,
    prepare_schema,
    restore_indexes,
)
from seedbed.run.progress import Progress, reporting
from seedbed.run.ranges import Job
from seedbed.run.refusals import load_refusing, record_refused
from seedbed.run.resume import digests, go_on
from seedbed.run.retry import with_retries
from seedbed.run.source import Source
from seedbed.run.upsert import update_changed
from seedbed.sinks.base import Deferral, LoadResult, Sink
from seedbed.sinks.manifest import Manifest, TableRecord, now_iso, run_id
from seedbed.sinks.probe import sample_keys

if TYPE_CHECKING:
    from seedbed.run.dask_engine import Remote


def seed(
    sink: Sink,
    source: Source,
    opts: SeedOptions | None = None,
    progress: Progress | None = None,
    remote: Callable[[Job], Remote] | None = None,
) -> Manifest:
    """Seed ``sink`` from ``source``; returns the run's manifest (also saved in the database).
    ``remote``: the tables' rows loaded by a cluster's workers (run/dask_engine.py)."""
    opts = opts or SeedOptions()
    source = for_server(sink, source)
    plan, ctx = plan_for(source, opts, check=False)
    previous = sink.manifests.find(plan.name, plan.seed)
    if source.plan.anchor == "now" and opts.anchor is None:  # the clock read once, kept by every later command
        recorded = (previous.options or {}).get("anchor") if previous is not None else None
        opts = replace(opts, anchor=recorded or _iso(plan.anchor_us))
        plan, ctx = plan_for(source, opts, check=False)
    if previous is not None and previous.plan_hash == plan.plan_hash and not opts.increment:
        # a larger size adds rows on top; the size the run has grown to reruns its last increment
        sized = grow.sized(sink, source, opts, previous, plan.scale, lambda s, o: seed(sink, s, o, progress))
        if sized is not None:
            return sized
    changed = previous is not None and (previous.scale != plan.scale or previous.plan_hash != plan.plan_hash)
    if previous is not None and changed and previous.status == "completed" and not opts.upsert:
        what = "scale " + str(previous.scale) if previous.scale != plan.scale else "another version of the plan"
        raise PlanError(
            f"seed {plan.seed} of {plan.name!r} is already in this database with {what}",
            hint=f"purge it first (seedbed purge ... --seed {plan.seed}), use another --seed, or --upsert to "
            "update its rows in place",
        )
    t0 = time.perf_counter()
    if not opts.upsert and completed_and_intact(sink, ctx, previous, opts):
        assert previous is not None
        return _skip(sink, source, ctx.with_bases(previous.bases), previous, opts, t0)
    plan, ctx = checked(source, opts, plan, ctx)
    job = Job.of(source, opts, dict(plan.left_out))
    loader, workers = remote(job) if remote is not None else None, Workers(job, opts.workers, ctx)
    prepare_schema(sink, source, opts)
    merge = previous is not None or opts.upsert  # an upsert inserts only the rows whose keys are missing
    if previous is not None and previous.pending_ddl:
        restore_indexes(sink, previous)
    feeds = sink.trigger_feeds()
    order, fed = _after_triggers(plan.written, feeds, plan)
    fed_by = {t: {o for o in plan.order if short_name(o) in feeds.get(short_name(t), set())} for t in fed}
    bases = previous.bases if previous is not None else key_bases(sink, plan, ctx)
    if previous is None and opts.increment:  # what it does not write is the first run's
        bases = grow.bases_of(sink, plan.name, plan.seed, plan.written, bases)
    ctx = ctx.with_bases(bases)
    if previous is not None and changed and not opts.upsert:  # a run that did not complete, fixed since
        go_on(sink, previous, plan, ctx)
    m = _manifest(sink, plan, bases, opts)
    table_digests = digests(plan)
    m.tables = {
        t: TableRecord(
            planned=ctx.rows(t),
            mode="merge" if merge else "copy",
            digest=table_digests[t][0],
            key_digest=table_digests[t][1],
        )
        for t in plan.written
    }
    _cover(m, previous)
    m.left_out = dict(plan.left_out)
    m.refused = dict(previous.refused) if previous is not None else {}
    m.warnings = list(plan.warnings)
    # what the schema had before the run touched it (a run that goes on keeps the first's)
    m.structure = previous.structure if previous is not None and previous.structure else structure_of(sink, plan)
    if previous is not None:
        m.started_at = previous.started_at
    sink.manifests.save(m)
    try:
        unchecked = any(c.method == "checks_off" for c in plan.cuts)
        with sink.unchecked() if unchecked else contextlib.nullcontext():
            for i, name in enumerate(order, 1):
                rec = m.tables[name]
                spec = ctx.spec(name)
                if name in m.left_out:  # it needs rows of a table the database refused
                    rec.mode = "left out"
                    continue
                t1 = time.perf_counter()
                if progress:  # mode "starting": the table's load begins
                    progress(name, i, len(order), TableRecord(planned=rec.planned, mode="starting"))
                if name in fed and previous is None and not _one_per_feeder_row(spec, fed_by.get(name, set())):
                    ctx = _after_trigger_rows(sink, ctx, m, name)
                table_merge = merge or name in fed
                try:
                    if any(fk.ref_table in m.refused for fk in spec.table.foreign_keys):
                        # some rows it refers to were refused: its rows pointing there are refused in turn
                        result = load_refusing(
                            sink, ctx, spec, merge=table_merge, optional=_optional(spec), refused=m.refused
                        )
                    else:
                        # dropped, loaded and rebuilt in one transaction (DDL is transactional there):
                        # a duplicate, an orphan or a kill rolls back the rows and the drop together
                        deferral = None
                        if (
                            not table_merge
                            and sink.dialect.caps.transactional_ddl
                            and not (loader and loader.takes(spec))
                        ):
                            deferral = sink.deferrable(spec, _unloaded_parents(plan, order[i - 1 :], name))
                        # a table that triggers also fill gets only the rows they did not make; a
                        # transaction that lost a deadlock is generated and loaded again
                        shown = progress and (name, i, len(order), rec, progress)
                        step = (ctx, m, spec, table_merge, deferral, shown, loader, workers)
                        result = with_retries(sink, name, lambda step=step: _load(sink, *step), note=m.warnings.append)  # type: ignore[misc]
                except LoadFailed as err:  # rolled back: the other tables still load
                    _table_failed(sink, m, plan, name, err)
                    rec.mode = "left out"
                    continue
                nothing = record_refused(m, name, rec.planned, result)
                if nothing is not None:  # every row refused: as good as left out, with what needs it
                    _table_failed(sink, m, plan, name, nothing)
                rec.inserted, rec.path = result.rows, result.path
                rec.seconds = round(time.perf_counter() - t1, 3)
                m.index_seconds = round(m.index_seconds + result.index_seconds, 3)
                if progress:
                    progress(name, i, len(order), rec)
            set_deferred(sink, ctx)
            if opts.upsert:  # the rows that were there take the plan's values
                update_changed(sink, ctx, m, order)
        _exact(m, fed)
        check_cuts(sink, ctx)
        _remember_for_rerun(sink, source, opts, ctx, m)
    except SeedbedError as err:
        _finish(sink, m, opts, t0, "failed", str(err))
        raise
    except BaseException as err:
        _finish(sink, m, opts, t0, "failed", f"{type(err).__name__}: {err}")
        raise
    finally:
        workers.close()
    _finish(sink, m, opts, t0, "partial" if m.left_out else "completed", None)
    return m


def _load(
    sink: Sink,
    ctx: Context,
    m: Manifest,
    spec: TableSpec,
    merge: bool,
    deferral: Deferral | None,
    shown: Any,
    loader: Remote | None = None,
    workers: Workers | None = None,
) -> LoadResult:
    """Load a table; when the database refuses its rows, try once more with the columns it
    may leave empty left empty (NULL): rules a trigger enforces ("no open_item_id on this
    account") are mostly about optional values. The first refusal is the one reported.
    ``shown``: (name, i, n, record, progress) to report rows as they go, or None."""
    if loader is not None and loader.takes(spec):
        return loader.load(sink, ctx, spec, merge)
    made = workers.batches(ctx, spec.name) if workers is not None else ctx.batches(spec.name)
    batches: Any = prefetch(nulled(made, spec.deferred))
    if shown:
        batches = reporting(batches, *shown)
    try:
        return sink.load(spec, batches, merge=merge, deferral=deferral)
    except LoadFailed as first:
        if first.code in sink.dialect.RETRY:  # lost to another transaction: the same rows again
            raise
        optional = _optional(spec)
        if optional:
            try:
                empty = tuple(sorted(set(optional) | set(spec.deferred)))
                result = sink.load(spec, nulled(ctx.batches(spec.name), empty), merge=merge, deferral=deferral)
            except LoadFailed:
                pass
            else:
                m.warnings.append(
                    f"{spec.name}: loaded with {', '.join(optional)} NULL; with values the database refused it: "
                    f"{first.message}"
                )
                return result
        if first.code not in sink.dialect.RAISED:
            raise first from None
        # a trigger's rule: the rows it accepts go in, the others are drawn again or left out
        return load_refusing(sink, ctx, spec, merge=merge, optional=optional, refused=m.refused)


def _unloaded_parents(plan: ResolvedPlan, rest: list[str], name: str) -> frozenset[str]:
    """The foreign keys of ``name`` to tables loaded after it (``rest``: it and the tables
    after it): they stay in place for its load (their rows are not there to check yet)."""
    later = set(rest) - {name}
    return frozenset(fk.name or "" for fk in plan.schema.table(name).foreign_keys if fk.ref_table in later)


def _optional(spec: TableSpec) -> tuple[str, ...]:
    """Written columns that may be NULL and are in no key (their values identify nothing)."""
    table = spec.table
    keyed = set(spec.key) | set(table.primary_key) | {c for u in table.uniques for c in u.columns}
    return tuple(c for c in spec.written if table.column(c).nullable and c not in keyed)


def _one_per_feeder_row(spec: TableSpec, feeders: set[str]) -> bool:
    """A unique key of the table made of references to the tables whose triggers fill it
    (profiles.user_id): the triggers make its rows, the run's own would collide with
    them, and it keeps the keys planned so its rows are found as already there."""
    table = spec.table
    to_feeder = {c for fk in table.foreign_keys if fk.ref_table in feeders for c in fk.columns}
    keys = [table.primary_key] + [u.columns for u in table.uniques]
    return any(k and set(k) <= to_feeder for k in keys)


def _after_trigger_rows(sink: Sink, ctx: Context, m: Manifest, name: str) -> Context:
    """The rows triggers made in ``name`` while its feeders loaded took keys the run planned
    for its own: the run's keys there start after them (recorded, so a rerun and purge use
    the same keys), and its rows keep the values the tables after it expect."""
    base = largest_key(sink, ctx, name)
    if base <= ctx.base(name):
        return ctx
    m.bases = {**m.bases, name: base}
    sink.manifests.save(m)
    return ctx.with_bases(m.bases)


def _table_failed(sink: Sink, m: Manifest, plan: ResolvedPlan, name: str, err: SeedbedError) -> None:
    """The database refused ``name``'s rows (its transaction rolled back, with whatever was
    dropped for the load): leave it out with every table whose rows point at it."""
    m.left_out[name] = err.message + (f" ({err.hint})" if err.hint else "")
    gone = {name}
    for t in plan.order:  # parents come first, so one pass finds every table that needs them
        if t not in gone and any(fk.ref_table in gone for fk in plan.schema.table(t).foreign_keys):
            gone.add(t)
            m.left_out.setdefault(t, f"its rows refer to {name}, whose rows the database refused")


def structure_of(sink: Sink, plan: ResolvedPlan) -> list[list[Any]]:
    """The indexes and constraints of the plan's tables (partitions included), as recorded."""
    tables = {t.name for t in plan.schema.tables}
    return [list(row) for row in sink.structure() if row[0] in tables]


def _manifest(sink: Sink, plan: ResolvedPlan, bases: dict[str, int], opts: SeedOptions) -> Manifest:
    return Manifest(
        options=run_options(opts),
        run_id=run_id(plan.name, plan.seed),
        plan=plan.name,
        seed=plan.seed,
        scale=plan.scale,
        plan_hash=plan.plan_hash,
        database=sink.safe_url,
        bases=bases,
        cuts=[c.describe() for c in plan.cuts],
    )


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=UTC).isoformat().replace("+00:00", "Z")


def _skip(sink: Sink, source: Source, ctx: Context, previous: Manifest, opts: SeedOptions, t0: float) -> Manifest:
    """Record a rerun that found its completed run intact: nothing is written but the manifest."""
    m = _manifest(sink, ctx.plan, previous.bases, opts)
    m.started_at = previous.started_at
    m.tables = {t: TableRecord(planned=ctx.rows(t), mode="complete") for t in ctx.plan.written}
    m.refused = previous.refused
    _cover(m, previous)
    _remember_for_rerun(sink, source, opts, ctx, m)
    _finish(sink, m, opts, t0, "completed", None)
    return m


def _exact(m: Manifest, fed: set[str]) -> None:
    """After a first load: each table got exactly its planned rows (those the database
    refused, tables left out and rows triggers made aside), or the run says which did not."""
    for t, rec in m.tables.items():
        want = rec.planned - len(m.refused.get(t, ()))
        if rec.mode == "copy" and t not in m.left_out and t not in fed and rec.inserted != want:
            m.warnings.append(f"{t}: {rec.inserted:,} rows inserted, {want:,} planned")


def _cover(m: Manifest, previous: Manifest | None) -> None:
    """A run asked for some tables only (``--table``) over a run holding others: its record
    goes on covering those too (their records, and the tables the run holds)."""
    asked = (m.options or {}).get("tables")
    if previous is None or asked is None:
        return
    held = (previous.options or {}).get("tables")
    m.options = {**(m.options or {}), "tables": None if held is None else sorted(set(asked) | set(held))}
    m.tables = {**{t: r for t, r in previous.tables.items() if t not in m.tables}, **m.tables}


def _remember_for_rerun(sink: Sink, source: Source, opts: SeedOptions, ctx: Context, m: Manifest) -> None:
    """What lets the next rerun of this completed run skip the engine (sinks/probe.py)."""
    files = list(source.files) if source.files is not None else None
    m.inputs = run_digest(files, sink.dialect.family, opts)
    m.probe = sample_keys(ctx, sink.driver_values, m.refused) if m.inputs else None


def _after_triggers(
    order: list[str], feeds: dict[str, set[str]], plan: ResolvedPlan | None = None
) -> tuple[list[str], set[str]]:
    """Load each table that triggers insert into after the tables whose triggers do, and
    every table that needs its rows after it (parents still before children)."""
    short = {t: short_name(t) for t in order}
    fed = {t for t in order if feeds.get(short[t])}
    if not fed:
        return list(order), fed
    position = {t: i for i, t in enumerate(order)}
    before: dict[str, set[str]] = {t: set() for t in order}
    if plan is not None:  # the foreign keys the plan order already honours
        for t in order:
            for fk in plan.schema.table(t).foreign_keys:
                if fk.ref_table in position and position[fk.ref_table] < position[t]:
                    before[t].add(fk.ref_table)
    for t in fed:
        feeders = {o for o in order if short[o] in feeds[short[t]] and o != t}
        if not any(t in _ancestors(o, before) for o in feeders):  # a feeder needing t's rows: keep the order
            before[t] |= feeders
    out: list[str] = []
    done: set[str] = set()
    while len(out) < len(order):  # the original order wherever the constraints allow
        ready = next((t for t in order if t not in done and before[t] <= done), None)
        if ready is None:  # feeders that need each other's rows: the plan's order it is
            return list(order), fed
        out.append(ready)
        done.add(ready)
    return out, fed


def _ancestors(t: str, before: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [t]
    while stack:
        for p in before[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def _finish(sink: Sink, m: Manifest, opts: SeedOptions, t0: float, status: str, error: str | None) -> None:
    m.status, m.error = status, error
    m.finished_at = now_iso()
    m.seconds = round(time.perf_counter() - t0, 3)
    try:
        sink.manifests.save(m)
    except Exception:
        if status != "failed":
            raise
        # the run's own error matters more than failing to record it; the file still says it
    finally:
        if opts.manifest_dir is not None:
            m.write(opts.manifest_dir)
