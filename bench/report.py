"""Figures, their targets, and the final table."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Figure:
    id: str
    name: str
    target: float | None  # None: reported only
    op: str = "<="  # measured OP target passes
    unit: str = "x"  # x (a ratio), MB, values/s, rows/s, s
    measured: float | None = None
    detail: str = ""
    error: str | None = None
    skipped: str | None = None
    parts: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.error:
            return "ERROR"
        if self.skipped:
            return "SKIP"
        if self.measured is None:
            return "-"
        if self.target is None:
            return "info"
        ok = self.measured <= self.target if self.op == "<=" else self.measured >= self.target
        return "PASS" if ok else "FAIL"

    @property
    def vs_target(self) -> float | None:
        """measured ÷ target: at most 1 passes a '<=' target, at least 1 a '>=' one."""
        if self.measured is None or not self.target:
            return None
        return self.measured / self.target

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "figure": self.name,
            "measured": self.measured,
            "unit": self.unit,
            "target": self.target,
            "op": self.op,
            "measured_over_target": self.vs_target,
            "status": self.status,
            "detail": self.detail,
            "error": self.error,
            "skipped": self.skipped,
            "parts": self.parts,
        }


def fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "x":
        return f"{v:.3f}" if v < 10 else f"{v:.1f}"
    if unit == "MB":
        return f"{v:.0f} MB"
    if unit in ("values/s", "rows/s"):
        return f"{v / 1e6:.2f} M/s" if v >= 1e6 else f"{v / 1e3:.1f} k/s"
    if unit == "s":
        return f"{v:.2f} s"
    return f"{v:g} {unit}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "measured", "target", "meas/target", "result")]
    for f in figures:
        target = "-" if f.target is None else f"{f.op} {fmt(f.target, f.unit)}"
        vt = f.vs_target
        rows.append((f.name, fmt(f.measured, f.unit), target, "-" if vt is None else f"{vt:.2f}", f.status))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = []
    for k, r in enumerate(rows):
        out.append(
            "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) if i < 4 else c for i, c in enumerate(r))
        )
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = []
    for f in figures:
        if f.error:
            notes.append(f"  {f.name}: ERROR: {f.error.splitlines()[0]}")
        elif f.skipped:
            notes.append(f"  {f.name}: skipped: {f.skipped}")
        elif f.detail:
            notes.append(f"  {f.name}: {f.detail}")
    return "\n".join(out) + ("\n\nwhere the numbers come from:\n" + "\n".join(notes) if notes else "")
