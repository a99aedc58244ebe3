"""JSON documents: literal parts serialised once, templated leaves escaped column-wise."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate.generators.base import BuildInfo, Gen
from seedbed.generate.generators.basic import render_params
from seedbed.generate.generators.registry import register
from seedbed.generate.generators.templates import FIELD, Template
from seedbed.generate.rows import Rows, Values
from seedbed.generate.text import join, utf8_buffers


class Json(Gen):
    def __init__(self, doc: Any, templates: dict[str, Template]):
        self.doc, self.templates = doc, templates

    def values(self, f: Rows) -> Values:
        rendered = {k: t.render(f, self.column.name) for k, t in self.templates.items()}
        # Literal parts are serialised once; each templated leaf becomes an escaped string.
        skeleton = json.dumps(self.doc, sort_keys=True, separators=(",", ":"))
        pieces: list[pa.Array | str] = []
        pos = 0
        for m in re.finditer(r'"\\u0000(\d+)"', skeleton):
            pieces.append(skeleton[pos : m.start()])
            pieces.append(json_string(rendered[m.group(1)]))
            pos = m.end()
        pieces.append(skeleton[pos:])
        return join(pieces, f.n)


_JSON_ESCAPES = [
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
]
_JSON_ESCAPES += [(chr(c), "\\u%04x" % c) for c in range(0x20) if chr(c) not in "\n\r\t\b\f"]


def json_string(val: pa.Array) -> pa.Array:
    """Each value as a JSON string literal (quoted, escaped); null values as JSON null."""
    _, data = utf8_buffers(val)
    # only the escapes whose characters occur: most text has no control character, quote or backslash
    present = set(np.unique(data[(data < 0x20) | (data == 0x22) | (data == 0x5C)]).tolist())
    for raw, esc in _JSON_ESCAPES:
        if ord(raw) in present:
            val = pc.replace_substring(val, raw, esc)
    quoted = pc.binary_join_element_wise(pa.scalar('"'), val, pa.scalar('"'), "")
    if val.null_count:
        quoted = pc.if_else(pc.is_null(val), pa.scalar("null"), quoted)
    return quoted


@register("json")
def _json(arg: Any, info: BuildInfo) -> Gen:
    """``json: {source: web, task: "{task_id}"}``: a JSON document; strings are templates."""
    templates: dict[str, Template] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str):
            node = render_params(node, info.params)
            if FIELD.search(node):
                key = str(len(templates))
                templates[key] = Template(node, info, f"json{key}")
                return "\u0000" + key
        return node

    return Json(walk(arg), templates)
