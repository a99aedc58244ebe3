"""seedbed as a library: the README's examples run as they are; the api's shape holds."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import seedbed
from seedbed import api
from seedbed.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


def _python_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_examples_run(tmp_path, monkeypatch, capsys):
    blocks = _python_examples()
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md python example {i}", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "rows in 15 tables" in out and "{'customer': 50, 'orders': 50}" in out
    assert "unknown recipe 'scale-sed'" in out and "did you mean 'scale-seed'?" in out


def test_one_function_per_command_with_keyword_options():
    commands = {c.name for c in app.registered_commands}
    assert commands == {"plan", "init", "seed", "verify", "purge", "export", "mark", "mask"}
    for name in commands:
        fn = getattr(seedbed, name)
        assert fn is getattr(api, name), f"seedbed.{name} is not seedbed.api.{name}"
        params = list(inspect.signature(fn).parameters.values())
        assert all(p.kind is p.KEYWORD_ONLY for p in params[1:]), f"{name}: options must be keyword-only"


def test_a_path_is_a_sqlite_database(tmp_path):
    db = tmp_path / "shop.db"
    m = seedbed.seed(db, recipe="scale-seed", scale=0.001, manifest_dir=None)
    assert m.database == f"sqlite:///{db}" and m.inserted_total > 0
    assert seedbed.verify(str(db), recipe="scale-seed").ok


def test_errors_name_the_option_before_anything_is_opened(tmp_path):
    db = tmp_path / "never.db"
    with pytest.raises(seedbed.SeedbedError, match="--scale must be greater than 0"):
        seedbed.seed(db, recipe="scale-seed", scale=0)
    with pytest.raises(seedbed.SeedbedError, match="unknown dialect 'oracle'"):
        seedbed.plan(ddl=tmp_path / "x.sql", dialect="oracle")
    with pytest.raises(seedbed.SeedbedError, match="unknown format 'xml'"):
        seedbed.export(tmp_path / "out", recipe="scale-seed", format="xml")
    assert not db.exists()


def test_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert seedbed.__version__ == version
    run = CliRunner().invoke(app, ["--version"])
    assert run.exit_code == 0 and run.output.strip() == f"seedbed {version}"


def test_importing_the_library_loads_nothing_heavy():
    heavy = ("numpy", "pyarrow", "sqlalchemy", "sqlglot", "psycopg", "pymysql")
    code = f"import sys, seedbed\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "", f"import seedbed loads: {found}"


def test_the_published_plan_schema_is_the_models():
    import json

    from seedbed.planning.jsonschema import plan_json_schema

    published = json.loads((ROOT / "docs" / "plan.schema.json").read_text(encoding="utf-8"))
    assert published == plan_json_schema(), "regenerate: python -m seedbed.planning.jsonschema > docs/plan.schema.json"
