"""Templates: strings built column-wise from other columns, vocabularies and the row's key;
and the deterministic UUIDs whose names are templates (UUIDv5 of a natural key)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate import rng, vocab
from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.basic import render_params
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Values
from seedbed.generate.text import FILTERS, KeyBytes, join, namespace_for, to_text, uuid5_of_indices, uuid5_strings

# {field}, {field|filter|filter}, {field:05}; field is a column, a path, a builtin
# (index, key, ordinal, seed, scale, run) or @vocabulary.
FIELD = re.compile(r"\{([A-Za-z0-9_@.]+)(?::0?(\d+))?((?:\|[a-z]+)*)\}")
_BUILTINS = {"index", "key", "ordinal", "seed", "scale", "run"}


class Template:
    """A string template rendered column-wise: literals joined with column values."""

    def __init__(self, text: str, info: BuildInfo, purpose: str):
        self.text, self.purpose = text, purpose
        self.parts: list[str | tuple[str, int | None, list[str]]] = []
        pos = 0
        for m in FIELD.finditer(text):
            if m.start() > pos:
                self.parts.append(text[pos : m.start()])
            name, pad, filters = m.group(1), m.group(2), [x for x in m.group(3).split("|") if x]
            for flt in filters:
                if flt not in FILTERS:
                    raise info.fail(f"unknown filter |{flt} in {text!r}", hint=f"filters: {', '.join(FILTERS)}")
            if name.startswith("@"):
                vocab.words(info.locale, name[1:])
            elif name in _BUILTINS:
                if name in ("seed", "scale", "run"):
                    name = str(info.params.get(name, ""))
                    self.parts.append(name)
                    pos = m.end()
                    continue
            else:
                info.table.column(name.split(".")[0])
            self.parts.append((name, int(pad) if pad else None, filters))
            pos = m.end()
        if pos < len(text):
            self.parts.append(text[pos:])
        self.locale = info.locale

    def fields(self) -> list[str]:
        return [p[0] for p in self.parts if isinstance(p, tuple)]

    def render(self, f: Rows, column: str) -> pa.Array:
        pieces: list[pa.Array | str] = []
        for i, part in enumerate(self.parts):
            if isinstance(part, str):
                pieces.append(part)
                continue
            name, pad, filters = part
            if name == "index":  # in a run's later increment, counting on after the earlier ones' rows
                arr = pa.array(f.idx + f.ctx.earlier.get(f.table, 0))
            elif name == "key":  # the index after the run's base: unique across runs
                arr = pa.array(f.idx + f.ctx.base(f.table))
            elif name == "ordinal":
                arr = pa.array(f.ordinal() + 1)
            elif name.startswith("@"):
                words = vocab.words(self.locale, name[1:])
                k = rng.below(f.u64, f.key(column, f"{self.purpose}:{i}:{name}"), len(words))
                arr = words.take(pa.array(k))
            else:
                arr = f.path(name)
            text = to_text(arr)
            if pad:
                text = pc.utf8_lpad(text, width=pad, padding="0")
            for flt in filters:
                text = FILTERS[flt](text)
            pieces.append(text)
        return join(pieces, f.n)


class Format(Gen):
    def __init__(self, template: Template):
        self.template = template

    def values(self, f: Rows) -> Values:
        return self.template.render(f, self.column.name)


@register("format")
def _format(arg: Any, info: BuildInfo) -> Gen:
    """``format: "{first_name|lower}.{last_name|lower}.{index}@example.com"``."""
    if not isinstance(arg, str):
        raise info.fail("format needs a template string")
    return Format(Template(arg, info, "format"))


class Uuid(Gen):
    def __init__(self, namespace: uuid.UUID | None, name: Template | None, table: str):
        self.namespace, self.name, self.table = namespace, name, table

    def values(self, f: Rows) -> Values:
        ns = self.namespace or namespace_for(f"{f.ctx.seed}{f.ctx.salt(self.table)}", self.table)
        if self.name is None:  # a batch's own rows run in order; rows out of order are looked up
            kept = None if _in_order(f.idx) else f.ctx.memo("uuid keys", KeyBytes)
            return uuid5_of_indices(ns, f.idx, kept=kept)
        return uuid5_strings(ns, self.name.render(f, self.column.name))


def _in_order(idx: np.ndarray) -> bool:
    return len(idx) < 2 or (int(idx[-1]) - int(idx[0]) == len(idx) - 1 and bool(np.all(np.diff(idx) == 1)))


@register("uuid")
def _uuid(arg: Any, info: BuildInfo) -> Gen:
    """``uuid: {namespace: UUID, name: TEMPLATE}``: UUIDv5 of a natural key.

    By default the namespace is derived from the seed and table and the name is the
    row index, so each seed's keys are disjoint and stable.
    """
    arg = arg if isinstance(arg, dict) else {}
    require_keys(arg, {"namespace", "name"}, info, "uuid")
    ns = None
    if "namespace" in arg:
        try:
            ns = uuid.UUID(str(render_params(arg["namespace"], info.params)))
        except ValueError:
            raise info.fail(f"uuid.namespace {arg['namespace']!r} is not a UUID") from None
    name = Template(str(arg["name"]), info, "uuid") if "name" in arg else None
    return Uuid(ns, name, info.table.qualified)
