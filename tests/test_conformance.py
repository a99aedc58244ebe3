"""Conformance: every real schema of the corpus is seeded with no plan file.

The cases are found in the corpus folders (see tests/corpus.py), so a schema added
there is tested as it is. Each is loaded into a fresh database of its own dialect by
that database's own client, then seeded from reflection alone. Read back through the
database's own catalog it must then have:

- every table non-empty (a partition counts through its parent),
- no foreign-key orphan, no duplicated unique key, no row failing a CHECK,
- every index, constraint and trigger as the schema load left it (on PostgreSQL every
  constraint VALID after the load still VALID),
- seedbed's own verify passing, and a second run adding no row and changing nothing.

Under CI=true a missing server, client, extension or schema file fails the case
instead of skipping it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seedbed.planning.model import PlanFile
from seedbed.run.options import SeedOptions
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.run.verify import verify
from seedbed.sinks import open_sink
from tests import corpus

ROOTS = corpus.roots()
DETAILS_SHOWN = 25

# Tables seedbed leaves out today on these schemas, and why: rules the database enforces
# in procedural code (trigger functions) or in constraints it does not model yet. Each run
# must leave out exactly these: one that starts to fill is taken off the list, one more
# left out is a regression. Every other table must be filled and pass every check.
KNOWN_GAPS: dict[str, dict[str, str]] = {}


def _params() -> list:
    params = []
    for root in ROOTS:
        for case in corpus.cases(root):
            marks = [pytest.mark.slow]  # each case seeds a whole database: seconds to a minute
            if case.dialect in ("postgres", "mysql"):
                marks.append(getattr(pytest.mark, case.dialect))
            params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@pytest.mark.parametrize("root", ROOTS, ids=lambda root: root.name)
def test_corpus_root_holds_schemas(root: Path):
    # a root that is gone or empty would otherwise just mean fewer cases
    if not corpus.cases(root):
        corpus.unavailable(f"{root} holds no schema (no <folder>/*.sql)")


@pytest.mark.parametrize("case", _params())
def test_seed_real_schema_without_a_plan(case: corpus.Case, tmp_path: Path):
    declared = case.declared_dialect()
    assert declared in (None, case.dialect), f"{case.folder}/SOURCE.md says {declared}, the folder name {case.dialect}"
    with corpus.fresh_database(case, tmp_path) as url:
        probe = corpus.open_probe(case.dialect, url)
        try:
            problems = _seed_and_judge(case, url, probe)
        finally:
            probe.close()
    if problems:
        pytest.fail(_message(problems), pytrace=False)


Problems = list[tuple[str, list[str]]]  # (headline, details)


def _seed_and_judge(case: corpus.Case, url: str, probe: corpus.Probe) -> Problems:
    tables = probe.tables()
    assert tables, f"{case.path} created no table"
    # taken before seeding, to compare with after
    structure, valid = probe.structure(), probe.valid_constraints()
    src = Source(case.folder, PlanFile(name=case.folder), None)
    opts = SeedOptions(seed=1, rows=None, manifest_dir=None)
    gaps = KNOWN_GAPS.get(case.id, {})
    sink = open_sink(url)
    try:
        m = seed(sink, src, opts)  # an error here is the failure to report, with its traceback
        left = {_short(t) for t in m.left_out}
        problems: Problems = []
        if left != set(gaps):
            problems.append(
                (
                    "tables left out are not the known gaps",
                    [f"left out, not a known gap: {t}" for t in sorted(left - set(gaps))]
                    + [f"a known gap that is filled now: {t}" for t in sorted(set(gaps) - left)],
                )
            )
        problems += _judge(probe, [t for t in tables if _short(t) not in gaps], structure, valid)
        problems += _seedbed_verify(sink, src, opts, tolerated="every table was seeded" if gaps else None)
        problems += _second_run(sink, src, opts, probe)
    finally:
        sink.close()
    return problems


def _short(table: str) -> str:
    """A table's own name, unqualified and unquoted."""
    return table.split(".")[-1].strip('"`')


def _judge(probe: corpus.Probe, tables: list[str], structure: set[str], valid: set[str]) -> Problems:
    empty = [t for t in tables if probe.is_empty(t)]
    after = probe.structure()
    found = [
        (f"of {len(tables)} tables empty", empty),
        ("foreign key(s) with orphan rows", probe.orphans()),
        ("unique key(s) with duplicates", probe.duplicates()),
        ("CHECK violation(s)", probe.check_violations()),
        (
            "constraint(s) VALID after the schema load are NOT VALID after the seed",
            sorted(valid - probe.valid_constraints()),
        ),
        ("index/constraint/trigger definition(s) gone or changed", sorted(structure - after)),
        ("index/constraint/trigger definition(s) added", sorted(after - structure)),
    ]
    return [(f"{len(details)} {label}", details) for label, details in found if details]


def _seedbed_verify(sink, src: Source, opts: SeedOptions, tolerated: str | None = None) -> Problems:
    try:
        report = verify(sink, src, opts)
    except Exception as err:  # noqa: BLE001 - reported with the other findings
        return [("seedbed verify raised", [f"{type(err).__name__}: {err}"])]
    failures = [f"{r.name}: expected {r.expected}, got {r.actual}" for r in report.failures if r.name != tolerated]
    return [(f"seedbed verify: {len(failures)} check(s) failed", failures)] if failures else []


def _second_run(sink, src: Source, opts: SeedOptions, probe: corpus.Probe) -> Problems:
    before = probe.snapshot()
    try:
        again = seed(sink, src, opts)
    except Exception as err:  # noqa: BLE001 - reported with the other findings
        return [("the second run raised", [f"{type(err).__name__}: {err}"])]
    problems: Problems = []
    if again.inserted_total:
        grew = [f"{t}: {r.inserted}" for t, r in again.tables.items() if r.inserted]
        problems.append((f"the second run inserted {again.inserted_total} row(s)", grew))
    if probe.snapshot() != before:
        problems.append(("the second run changed the data", []))
    return problems


def _message(problems: Problems) -> str:
    """First line: every kind of problem with its count; then the details of each."""
    lines = ["; ".join(headline for headline, _ in problems)]
    for headline, details in problems:
        if details:
            lines.append(headline + ":")
            lines += [f"  {d}" for d in details[:DETAILS_SHOWN]]
            if len(details) > DETAILS_SHOWN:
                lines.append(f"  ... and {len(details) - DETAILS_SHOWN} more")
    return "\n".join(lines)


def _fresh_database(dialect: str, path: Path, tmp_path: Path):
    """(url, drop) of a fresh database holding the schema at ``path`` (for other tests and tools)."""
    case = corpus.Case(path.parent.parent, path.parent.name, path.name)
    assert case.dialect == dialect, f"{path} is a {case.dialect} schema"
    ctx = corpus.fresh_database(case, tmp_path)
    url = ctx.__enter__()
    return url, lambda: ctx.__exit__(None, None, None)
