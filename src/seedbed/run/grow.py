"""Growing a run: a larger size seeded on top of a completed run adds rows, rewriting none.

A run seeded at scale 0.25 and asked again at scale 1 gets an *increment*: the rows of
scale 0.75 more, in the tables whose size grows with the scale (the others - lookup
tables, fixed lists - are what they were, and the new rows refer to them). An increment
is a run of its own, recorded as ``<plan>+2``, ``+3``, ... beside the first:

- its keys start after every key already there (``key_bases``), like a new run's;
- its random draws come from streams of their own (``Context.increment``): new rows, not
  copies of the first increment's with other keys;
- its references into tables that grow point at its own new rows, into the others at the
  rows already there (their keys, recomputed with the first run's bases).

The first run's record lists its increments and the scale seeded so far; purge removes
the increments' rows before the first's, and verify checks each. Data stays a pure
function of seed, plan and the sizes asked for, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from seedbed.errors import PlanError
from seedbed.run.options import SeedOptions, as_recorded
from seedbed.run.prepare import plan_for
from seedbed.run.source import Source
from seedbed.sinks.base import Sink
from seedbed.sinks.manifest import Manifest

Seed = Callable[[Source, SeedOptions], Manifest]  # one run into the database at hand

_SAME = 1e-9  # scales equal to this: floats summed from 0.25 + 0.75 need not compare exactly


def increments(sink: Sink, name: str, seed: int | str) -> list[Manifest]:
    """The increments recorded for run (name, seed), in the order they were seeded."""
    out: list[Manifest] = []
    while (found := sink.manifests.find(increment_name(name, len(out) + 2), seed)) is not None:
        out.append(found)
    return out


def increment_name(name: str, k: int) -> str:
    return f"{name}+{k}"


def seeded_scale(first: Manifest, more: list[Manifest]) -> float:
    return first.scale + sum(m.scale for m in more)


def sized(sink: Sink, source: Source, opts: SeedOptions, first: Manifest, scale: float, seed: Seed) -> Manifest | None:
    """A run asked at ``scale`` when ``first`` is there with the same plan: a larger size
    than it has grown to seeds the next increment, the size it has grown to reruns the last
    one, a smaller size is refused; None when ``scale`` is ``first``'s own (an ordinary rerun,
    or another scale of a run that has not grown, which the caller judges)."""
    more = increments(sink, first.plan, first.seed)
    done = seeded_scale(first, more)
    if first.status == "completed" and scale > done + _SAME:
        return grow(sink, source, opts, first, scale, more, seed)
    if not more:
        return None
    if scale < done - _SAME:
        raise PlanError(
            f"seed {first.seed} of {first.plan!r} has grown to scale {done:g}; a smaller size cannot take rows away",
            hint=f"purge it first (seedbed purge ... --seed {first.seed}), then seed the size you want",
        )
    return seed(renamed(source, more[-1].plan), options_of(opts, more[-1]))  # the size it has grown to


def grow(
    sink: Sink, source: Source, opts: SeedOptions, first: Manifest, target: float, before: list[Manifest], seed: Seed
) -> Manifest:
    """Seed the next increment of ``first`` (``before``: its increments so far) up to scale
    ``target`` with ``seed`` (run/seed.py's, as a run of its own); its manifest."""
    if opts.tables or opts.upsert:
        raise PlanError(
            "a larger size adds rows to every table that grows: it takes no --table or --upsert",
            hint="grow the whole run, then seed tables on their own",
        )
    before = list(before)
    if before and before[-1].status != "completed":  # an increment killed on its way: it goes on
        last = before.pop()
        return seed(renamed(source, last.plan), options_of(opts, last))
    done = seeded_scale(first, before)
    recorded = replace(opts, seed=first.seed, profile=None, increment=0, grow=None)
    _, now = plan_for(source, replace(recorded, scale=done), check=False, left_out=first.left_out)
    _, then = plan_for(source, replace(recorded, scale=target), check=False, left_out=first.left_out)
    growing = tuple(t for t in now.plan.written if then.rows(t) > now.rows(t))
    if not growing:
        raise PlanError(
            f"scale {target} makes no table of {first.plan!r} larger than scale {done} did",
            hint="ask for a larger size, or purge the run and seed it again",
        )
    k = len(before) + 2
    earlier = ((first.scale, 0, None), *((m.scale, j, _grown(m)) for j, m in enumerate(before, 2)))
    step = replace(
        opts, seed=first.seed, scale=round(target - done, 12), profile=None, increment=k, grow=growing, earlier=earlier
    )
    m = seed(renamed(source, increment_name(first.plan, k)), step)
    first.options = {**(first.options or {}), "grown": [*(first.options or {}).get("grown", []), target]}
    sink.manifests.save(first)
    return m


def bases_of(sink: Sink, name: str, seed: int | str, written: list[str], new: dict[str, int]) -> dict[str, int]:
    """The key bases of the increment ``name``: ``new`` (after every key there) for the
    tables it writes; the first run's for the others, whose rows are the first run's."""
    first = sink.manifests.find(name.rsplit("+", 1)[0], seed)
    kept = {t: b for t, b in (first.bases if first is not None else {}).items() if t not in written}
    return {**kept, **{t: b for t, b in new.items() if t in written}}


def _grown(m: Manifest) -> tuple[str, ...]:
    return tuple((m.options or {}).get("grow", ()))


def renamed(source: Source, name: str) -> Source:
    return replace(source, plan=source.plan.model_copy(update={"name": name}))


def options_of(opts: SeedOptions, m: Manifest) -> SeedOptions:
    return as_recorded(opts, m.seed, m.scale, m.options)
