"""Vectorised text building: UUIDv5 keys, string filters, number formatting."""

from __future__ import annotations

import hashlib
import threading
import uuid

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Root namespace of keys seedbed derives itself (seed and table are mixed in).
SEEDBED_NS = uuid.UUID("5eedbed0-5eed-5eed-8000-5eedbed00000")

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# each byte value's two hex digits, as the two bytes of one little-endian uint16
_HEX_PAIRS = np.array([ord(a) | ord(b) << 8 for a in "0123456789abcdef" for b in "0123456789abcdef"], dtype="<u2")
# the canonical form's groups: (first character, first digit, digits), dashes between
_GROUPS = ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12))


def namespace_for(seed: object, table: str) -> uuid.UUID:
    """The UUIDv5 namespace of one table's keys in one seed's run."""
    return uuid.uuid5(SEEDBED_NS, f"{seed}/{table}")


def uuid5_strings(namespace: uuid.UUID, names: list[bytes] | pa.Array) -> pa.StringArray:
    """Canonical UUIDv5 strings of ``names`` under ``namespace`` (RFC 4122 §4.3)."""
    if isinstance(names, pa.Array):
        names = [b if b is not None else b"" for b in names.cast(pa.binary()).to_pylist()]
    return uuid_strings_from_bytes(_uuid5_bytes(namespace, names))


def _uuid5_bytes(namespace: uuid.UUID, names: list[bytes]) -> np.ndarray:
    """(n, 16) uint8: the UUIDv5 of each name, as bytes."""
    ns = namespace.bytes
    sha1 = hashlib.sha1
    digest = b"".join([sha1(ns + name).digest()[:16] for name in names])
    raw = np.frombuffer(digest, dtype=np.uint8).reshape(len(names), 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x50  # version 5
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw


def uuid5_of_indices(namespace: uuid.UUID, idx: np.ndarray, *, kept: KeyBytes | None = None) -> pa.StringArray:
    """UUIDv5 of the decimal row index: the key of row ``idx``.

    Foreign keys repeat their parents' indices, so each distinct index is hashed once;
    with ``kept`` (keys looked up from another table) once per run.
    """
    idx = np.asarray(idx)
    if kept is not None and len(idx):
        raw = kept.bytes_of(namespace, idx)
        if raw is not None:
            return uuid_strings_from_bytes(raw)
    if len(idx) > 64:
        uniq, inverse = np.unique(idx, return_inverse=True)
        if len(uniq) < 0.8 * len(idx):
            return uuid5_strings(namespace, [b"%d" % i for i in uniq.tolist()]).take(pa.array(inverse))
    return uuid5_strings(namespace, [b"%d" % i for i in idx.tolist()])


class KeyBytes:
    """One run's UUIDv5 keys of the rows other tables refer to, each hashed once.

    A child's batches look up its parents' keys again and again (an audit log's rows
    point at tasks drawn at random); hashing each parent row once per run instead of once
    per batch takes a third of the work out of such a table. A namespace's keys are a
    pure function of it, so what is kept is never stale. 17 bytes a row, up to
    ``LIMIT`` for the run: the namespaces that come after that are hashed per batch as
    before (none is dropped for another, which would hash both again and again)."""

    LIMIT = 8 << 20  # a run at scale 10 keeps within its 300 MB with 8 MiB, not with 16

    def __init__(self) -> None:
        self.kept: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self.lock = threading.Lock()

    def bytes_of(self, namespace: uuid.UUID, idx: np.ndarray) -> np.ndarray | None:
        """(n, 16) uint8 keys of rows ``idx``; None when they are not kept."""
        top = int(idx.max()) + 1
        if idx.min() < 0:
            return None
        ns = namespace.bytes
        with self.lock:
            raw, have = self.kept.get(ns, (np.empty((0, 16), np.uint8), np.zeros(0, bool)))
            if len(have) < top:  # room up to the highest row asked for, doubling as it grows
                size = max(top, 2 * len(have))
                used = sum(len(h) for _, h in self.kept.values()) - len(have)
                if (used + size) * 17 > self.LIMIT:
                    size = top
                    if (used + size) * 17 > self.LIMIT:
                        return None
                raw = np.concatenate([raw, np.empty((size - len(raw), 16), np.uint8)])
                have = np.concatenate([have, np.zeros(size - len(have), bool)])
                self.kept[ns] = (raw, have)
            new = ~have[idx]
            if new.any():
                missing = np.unique(idx[new])
                raw[missing] = _uuid5_bytes(namespace, [b"%d" % i for i in missing.tolist()])
                have[missing] = True
            return raw[idx]


def uuid_strings_from_bytes(raw: np.ndarray) -> pa.StringArray:
    """(n, 16) uint8 → n canonical 36-character UUID strings, without a Python loop.

    One table lookup gives each byte's two digits and five slice copies place them
    around the dashes: four to five times faster than a lookup per digit and scattered
    stores, on the keys that make up half an audit log's columns."""
    n = raw.shape[0]
    digits = _HEX_PAIRS[raw].view(np.uint8)  # (n, 32)
    out = np.empty((n, 36), dtype=np.uint8)
    for at, first, width in _GROUPS:
        out[:, at : at + width] = digits[:, first : first + width]
    out[:, [8, 13, 18, 23]] = ord("-")
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(out)])


def utf8_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string column's value offsets (from 0) and its UTF-8 bytes, as numpy views where it can."""
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    if n == 0 or arr.buffers()[2] is None:
        return np.zeros(n + 1, dtype=np.int64), np.empty(0, dtype=np.uint8)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def hex_fixed(values: np.ndarray, digits: int) -> pa.StringArray:
    """Lower-case hex of each value, zero-padded to ``digits`` characters."""
    v = np.asarray(values, dtype=np.uint64)
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    chars = _HEX[((v[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.int64)]
    offsets = np.arange(0, digits * (len(v) + 1), digits, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), len(v), [None, pa.py_buffer(offsets), pa.py_buffer(chars.astype(np.uint8).tobytes())]
    )


def slugify(arr: pa.Array) -> pa.Array:
    """``Acme Cloud, Inc.`` → ``acme-cloud-inc``; ``Jürgen`` → ``jurgen``."""
    # decompose accented letters and drop the combining marks, so ü → u instead of -
    plain = pc.replace_substring_regex(pc.utf8_normalize(arr.cast(pa.string()), "NFKD"), r"\p{Mn}", "")
    plain = pc.replace_substring(plain, "ß", "ss")
    low = pc.utf8_lower(plain)
    low = pc.replace_substring_regex(low, r"[^a-z0-9]+", "-")
    return pc.utf8_trim(low, "-")


FILTERS = {
    "lower": lambda a: pc.utf8_lower(a),
    "upper": lambda a: pc.utf8_upper(a),
    "title": lambda a: pc.utf8_title(a),
    "slug": slugify,
    "alnum": lambda a: pc.replace_substring_regex(a, r"[^A-Za-z0-9]+", ""),
    "first": lambda a: pc.utf8_slice_codeunits(a, 0, 1),
    "blank": lambda a: pc.fill_null(a, ""),  # a NULL as an empty string (else the whole text is NULL)
}


def to_text(arr: pa.Array | np.ndarray) -> pa.Array:
    """Any column's values as strings (for templates and keys)."""
    if isinstance(arr, np.ndarray):
        arr = pa.array(arr)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")
    return arr.cast(pa.string())


def join(parts: list[pa.Array | str], n: int) -> pa.Array:
    """Concatenate literals and string arrays element-wise."""
    arrays = [p for p in parts if not isinstance(p, str)]
    if not arrays:
        return pa.array(["".join(parts)] * n, pa.string()) if parts else pa.nulls(n, pa.string())
    args = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, "")
