"""The package's imports, checked against its layers: dependencies flow one way, no cycles.

    python tools/layers.py        # prints the layers, the import edges between them, and any breach

Every ``import`` and ``from ... import`` of a ``seedbed`` module counts, wherever it
stands (module level, inside a function, under ``TYPE_CHECKING``): each one is a
dependency. A module may import modules of its own layer or of the layers below; and the
module graph has no cycle. ``tests/test_architecture.py`` runs the same check.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "seedbed"

# lowest first: a module may import from its own layer and the ones before it
LAYERS = (
    "version",
    "errors",
    "dialects",
    "schema",
    "generate",
    "planning",
    "recipes",
    "engine",
    "sinks",
    "verification",
    "masking",
    "run",
    "api",
    "cli",
    "pytest_plugin",  # fixtures for test suites: over the api, as the command line is
    "seedbed",  # the package itself: re-exports the api
)


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Module name -> file, for every module of the package."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def edges(root: Path = PACKAGE) -> list[Edge]:
    """Every import of one seedbed module by another."""
    known = modules(root)
    out = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
                # "from seedbed import dialects" imports the module seedbed.dialects
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]  # seedbed.sinks.base.Sink -> seedbed.sinks.base
                if target.startswith("seedbed") and target != name:
                    out.append(Edge(name, target, node.lineno))
    return sorted(set(out), key=lambda e: (e.importer, e.imported, e.line))


def layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else "seedbed"
    return LAYERS.index(part)


def back_edges(found: list[Edge]) -> list[Edge]:
    return [e for e in found if layer(e.imported) > layer(e.importer)]


def cycles(found: list[Edge]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for e in found:
        graph[e.importer].add(e.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(set(graph) | {e.imported for e in found}):
        if v not in index:
            visit(v)
    return out


def report(root: Path = PACKAGE) -> tuple[str, bool]:
    """A summary of the layering, and whether it holds."""
    found = edges(root)
    bad, loops = back_edges(found), cycles(found)
    between: dict[tuple[str, str], int] = defaultdict(int)
    for e in found:
        a, b = LAYERS[layer(e.importer)], LAYERS[layer(e.imported)]
        if a != b:
            between[(a, b)] += 1
    lines = [f"layers, lowest first: {' -> '.join(LAYERS)}"]
    lines.append(f"{len(modules(root))} modules, {len(found)} imports between them")
    for a in reversed(LAYERS):
        below = [f"{b} ({n})" for (x, b), n in sorted(between.items(), key=lambda kv: LAYERS.index(kv[0][1])) if x == a]
        if below:
            lines.append(f"  {a:12} imports {', '.join(below)}")
    lines.append(f"back-edges (a layer importing a higher one): {len(bad)}")
    lines += [f"  {e.importer} -> {e.imported} (line {e.line})" for e in bad]
    lines.append(f"import cycles: {len(loops)}")
    lines += [f"  {' <-> '.join(c)}" for c in loops]
    return "\n".join(lines), not bad and not loops


if __name__ == "__main__":
    text, ok = report()
    print(text)
    sys.exit(0 if ok else 1)
