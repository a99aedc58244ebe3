"""The layout holds: dependencies flow one way, knowledge of each database stays in its
module, the runner speaks to sinks through their protocol, modules stay small.

Each rule is checked on the package and, to show the check can fail, on a small tree
that breaks it.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "seedbed"
sys.path.insert(0, str(ROOT / "tools"))

import layers  # noqa: E402

DIALECT_NAMES = {"postgres", "postgresql", "mysql", "mariadb", "sqlite"}
MAX_LINES = 400


# -- dependencies flow one way -----------------------------------------------------


def test_dependencies_flow_one_way():
    text, ok = layers.report()
    print(text)
    assert ok, text


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "seedbed"
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


def test_a_back_edge_or_a_cycle_is_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "schema/__init__.py": "",
            "schema/model.py": "def f():\n    from seedbed.run.seed import x\n",  # lazy, still a dependency
            "run/__init__.py": "",
            "run/seed.py": "from seedbed.run import other\n",
            "run/other.py": "from seedbed.run.seed import y\n",
        },
    )
    found = layers.edges(root)
    assert [(e.importer, e.imported) for e in layers.back_edges(found)] == [
        ("seedbed.schema.model", "seedbed.run.seed")
    ]
    assert layers.cycles(found) == [["seedbed.run.other", "seedbed.run.seed"]]
    assert not layers.report(root)[1]


# -- knowledge of each database lives in dialects/ and sinks/ ---------------------------


def _named(node: ast.AST) -> bool:
    """A dialect's name as a literal, or a tuple, list or set holding one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower() in DIALECT_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_named(e) for e in node.elts)
    return False


def _tests_a_name(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):  # dialect == "postgres", d in ("mysql", "mariadb")
        return any(_named(x) for x in [node.left, *node.comparators])
    if isinstance(node, ast.Dict):  # {"mysql": ...}: a table keyed by dialect names
        return any(k is not None and _named(k) for k in node.keys)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # url.startswith("sqlite")
        return node.func.attr in ("startswith", "endswith") and any(_named(a) for a in node.args)
    if isinstance(node, ast.match_case):  # case "postgresql":
        return any(isinstance(p, ast.MatchValue) and _named(p.value) for p in ast.walk(node.pattern))
    return False


def _names_tested(tree: ast.AST) -> list[int]:
    """Lines that compare something with a dialect's name, or key a table by one."""
    return [getattr(node, "lineno", 0) or node.pattern.lineno for node in ast.walk(tree) if _tests_a_name(node)]


def test_no_code_outside_dialects_and_sinks_tests_a_dialect_name():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("dialects", "sinks"):
            continue
        offenders += [f"{rel}:{line}" for line in _names_tested(ast.parse(path.read_text(encoding="utf-8")))]
    assert not offenders, f"ask the dialect object instead (seedbed.dialects): {offenders}"


@pytest.mark.parametrize(
    "code",
    [
        'if dialect == "postgres": pass',
        "x = d in ('mysql', 'mariadb')",
        'ok = url.lower().startswith("sqlite")',
        'TYPES = {"mysql": "LONGTEXT"}',
        'match name:\n    case "postgresql":\n        pass',
    ],
)
def test_a_test_of_a_dialect_name_is_found(code):
    assert _names_tested(ast.parse(code))


def test_a_dialect_lookup_is_not_a_test_of_its_name():
    assert not _names_tested(ast.parse('d = dialects.get("postgres")\nread = "mysql"\nf(dialect="sqlite")'))


# -- capabilities are read, the runner speaks the sink protocol -----------------------------


def _source_outside(folder: str) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != folder
    )


def test_every_capability_is_read_outside_dialects():
    from seedbed.dialects import Capabilities

    code = _source_outside("dialects")
    unread = [f.name for f in dataclasses.fields(Capabilities) if f"caps.{f.name}" not in code]
    assert not unread, f"capabilities nobody reads: {unread}"


def test_the_runner_uses_only_the_sink_protocol():
    from seedbed.sinks.base import Sink

    allowed = {n for n in dir(Sink) if not n.startswith("_")} | set(Sink.__annotations__)
    used: dict[str, set[str]] = {}
    for path in [*(PACKAGE / "run").glob("*.py"), *(PACKAGE / "verification").glob("*.py"), PACKAGE / "api.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sink":
                used.setdefault(node.attr, set()).add(path.name)
    outside = {name: sorted(files) for name, files in used.items() if name not in allowed}
    assert not outside, f"members used that are not in sinks.base.Sink: {outside}"
    methods = [n for n in allowed if callable(getattr(Sink, n, None))]
    assert len(methods) <= 15, f"the sink protocol has grown to {len(methods)} methods: {sorted(methods)}"


# -- small modules -----------------------------------------------------------------------


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these along their seams: {long}"
