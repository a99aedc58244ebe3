"""A verification as a Markdown completion report: every table's rows, every invariant
checked with its outcome, and how long the checks took (``seedbed verify --report FILE``)."""

from __future__ import annotations

from seedbed.verification.checks import Report

_KINDS = {"count": "Rows per table", "orphans": "Foreign keys", "unique": "Unique keys",
          "recipe": "The recipe's invariants", "indexes": "Indexes and constraints"}  # fmt: skip


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(report: Report, title: str, database: str, seconds: float) -> str:
    failed = len(report.failures)
    out = [f"# Completion report: {title}", "",
           f"- database: {database}",
           f"- {len(report.results) - failed} checks passed, {failed} failed, in {seconds:.1f} s", ""]  # fmt: skip
    counts = [r for r in report.results if r.kind == "count"]
    if counts:
        out += ["## Rows per table", "", "| table | expected | found | |", "|---|---:|---:|---|"]
        for r in counts:
            name = r.name.removeprefix("rows of ")
            out.append(f"| {_cell(name)} | {_cell(r.expected)} | {_cell(r.actual)} | {'ok' if r.ok else 'FAIL'} |")
        out.append("")
    for kind, heading in _KINDS.items():
        rows = [r for r in report.results if r.kind == kind and kind != "count"]
        if not rows:
            continue
        out += [f"## {heading}", ""]
        for r in rows:
            detail = "" if r.ok else f" (expected {_cell(r.expected)}, got {_cell(r.actual)})"
            out.append(f"- {'ok' if r.ok else '**FAIL**'} {_cell(r.name)}{detail}")
        out.append("")
    return "\n".join(out)
