"""A CREATE TABLE sqlglot cannot parse, read again item by item.

sqlglot stops at the first word it does not expect: a column named like a keyword
(``exclude integer``), a type it does not know (``bit varying(5)``), a clause it has
no grammar for (``CHECK (false) NO INHERIT``). One such word should cost that word,
not the table, so the statement's items (columns and constraints) are tried one at
a time and each that fails is mended the least lossy way that parses:

1. an unquoted column name quoted (``"exclude" integer``, folded as the database
   would): nothing is lost, so nothing is said;
2. the column's type replaced by a placeholder type (TEXT), the type's text kept
   so the reader maps it by name (``ColumnType.raw``; the planner picks generators
   by it);
3. words cut from the end of the item (``NO INHERIT``), saying which;
4. the item left out, saying so.

Table options after the closing parenthesis that still fail are left out too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect as SqlglotDialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from seedbed.dialects import Dialect

TYPE_PLACEHOLDER = "TEXT"  # stands for a type sqlglot cannot read: every dialect parses it

# Words that end a column's type: its constraints and options begin with one.
AFTER_TYPE = frozenset(
    """
    NOT NULL DEFAULT CONSTRAINT PRIMARY UNIQUE CHECK REFERENCES GENERATED COLLATE AUTO_INCREMENT
    AUTOINCREMENT COMMENT ON AS IDENTITY CHARACTER CHARSET INVISIBLE VISIBLE STORED VIRTUAL
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_NAME = r'(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[^\s("`\[]+)+'
# What comes before the column list: the table's name (and a partition's parent), nothing else
_HEAD = re.compile(
    rf"^\s*CREATE\s+(?:\w+\s+){{0,2}}TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}(?:\s+PARTITION\s+OF\s+{_NAME})?\s*$",
    re.IGNORECASE,
)
# Words that begin a table constraint, never a column (EXCLUDE, KEY, INDEX may name one).
_CONSTRAINT_WORDS = frozenset(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"])


@dataclass
class Recovered:
    tree: exp.Expr
    text: str = ""  # the mended statement the tree was parsed from
    types: dict[str, str] = field(default_factory=dict)  # column -> its type as written, where TEXT stands
    notes: list[str] = field(default_factory=list)  # what was changed or left out, for the warning


def recover_create_table(source: str, d: Dialect) -> Recovered | None:
    """``source`` (a CREATE TABLE) parsed with its unreadable parts mended or left out;
    None when even that fails (no column list, or the head itself is unreadable)."""
    try:
        tokens = SqlglotDialect.get_or_raise(d.sqlglot).tokenize(source)
    except SqlglotError:
        return None
    span = _body(tokens)
    if span is None:
        return None
    open_, close = span
    head, tail = source[: tokens[open_].start], source[tokens[close].end + 1 :]
    if not _HEAD.match(head):
        return None  # the first parenthesis is not a column list (CREATE TABLE ... AS SELECT f(x))
    out = Recovered(exp.Expr())
    items = [_mend(source, part, d, out) for part in _items(tokens, open_, close)]
    body = ", ".join(i for i in items if i)
    for candidate, note in ((f"{head}({body}){tail}", None), (f"{head}({body})", "table options left out")):
        tree = _parse(candidate, d)
        if tree is not None:
            if note and tail.strip():
                out.notes.append(f"{note}: {_short(tail)}")
            out.tree, out.text = tree, candidate
            return out
    return None


def _body(tokens: list[Token]) -> tuple[int, int] | None:
    """Indexes of the parentheses around the column list."""
    depth, open_ = 0, None
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.L_PAREN:
            if depth == 0 and open_ is None:
                open_ = i
            depth += 1
        elif tok.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0 and open_ is not None:
                return open_, i
    return None


def _items(tokens: list[Token], open_: int, close: int) -> list[list[Token]]:
    """The column list's items, each as its tokens (commas inside parentheses kept)."""
    items: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens[open_ + 1 : close]:
        if tok.token_type == TokenType.COMMA and depth == 0:
            items.append([])
            continue
        depth += tok.token_type == TokenType.L_PAREN
        depth -= tok.token_type == TokenType.R_PAREN
        items[-1].append(tok)
    return [i for i in items if i]


def _mend(source: str, tokens: list[Token], d: Dialect, out: Recovered) -> str:
    """The item's text, mended until it parses alone ("" when nothing does)."""
    text = _text(source, tokens)
    if _item_parses(text, d):
        return text
    variants = [_Variant(text)]
    if tokens[0].text.upper() not in _CONSTRAINT_WORDS:
        # a column, perhaps named like a keyword (``exclude integer``), which quoting mends
        quoted = _quote_name(source, tokens, d)
        variants = [v for v in (quoted, _placeholder_type(source, tokens, d, quoted)) if v.text] + variants
    for v in variants:
        if v.text != text and _item_parses(v.text, d):
            return _take(v, v.text, text, out)
    cuts = [(v, cut) for v in variants if (cut := _cut_end(v.text, d)) is not None]
    if cuts:  # the variant that parses with the fewest words cut off the end
        v, cut = min(cuts, key=lambda vc: len(vc[0].text) - len(vc[1]))
        out.notes.append(f"{_short(v.text[len(cut) :])!r} left out of {_short(text)!r}")
        return _take(v, cut, text, out)
    out.notes.append(f"{_short(text)!r} left out")
    return ""


@dataclass
class _Variant:
    """An item rewritten: its text, and what the rewrite stands for."""

    text: str
    column: str = ""  # the column whose type the placeholder stands for
    raw: str = ""  # that type as written


def _take(v: _Variant, text: str, original: str, out: Recovered) -> str:
    if v.raw:
        out.types[v.column] = v.raw
        out.notes.append(f"type {v.raw!r} read by its name in {_short(original)!r}")
    return text


def _quote_name(source: str, tokens: list[Token], d: Dialect) -> _Variant:
    first = tokens[0]
    if first.token_type == TokenType.IDENTIFIER or not first.text.replace("_", "").isalnum():
        return _Variant("")
    q = d.quote_char
    rest = source[first.end + 1 : tokens[-1].end + 1]
    return _Variant(f"{q}{d.fold(first.text)}{q}{rest}")  # nothing lost: no note


def _placeholder_type(source: str, tokens: list[Token], d: Dialect, quoted: _Variant) -> _Variant:
    """The item with its type (the words after the name, up to its first constraint)
    replaced by a type every dialect parses, the name quoted if that was needed too."""
    end = 1
    depth = 0
    while end < len(tokens):
        tok = tokens[end]
        if depth == 0 and tok.text.upper() in AFTER_TYPE and tok.token_type != TokenType.IDENTIFIER:
            break
        depth += tok.token_type == TokenType.L_PAREN
        depth -= tok.token_type == TokenType.R_PAREN
        end += 1
    if end == 1:
        return _Variant("")
    rest = source[tokens[end - 1].end + 1 : tokens[-1].end + 1]
    text = f"{_text(source, tokens[:1])} {TYPE_PLACEHOLDER}{rest}"
    if not _item_parses(text, d) and quoted.text:
        q = d.quote_char
        text = f"{q}{d.fold(tokens[0].text)}{q} {TYPE_PLACEHOLDER}{rest}"
    first = tokens[0]
    column = first.text if first.token_type == TokenType.IDENTIFIER else d.fold(first.text)
    return _Variant(text, d.clip(column), _text(source, tokens[1:end]))


def _cut_end(text: str, d: Dialect) -> str | None:
    """The longest start of ``text``, cut at a word, that parses as an item."""
    try:
        tokens = SqlglotDialect.get_or_raise(d.sqlglot).tokenize(text)
    except SqlglotError:
        return None
    for n in range(len(tokens) - 1, 0, -1):
        head = text[: tokens[n - 1].end + 1]
        if _item_parses(head, d):
            return head
    return None


def _item_parses(item: str, d: Dialect) -> bool:
    return _parse(f"CREATE TABLE _sb_probe ({item})", d) is not None


def _parse(text: str, d: Dialect) -> exp.Expr | None:
    try:
        tree = sqlglot.parse_one(text, read=d.sqlglot)
    except SqlglotError:
        return None
    return None if isinstance(tree, exp.Command) else tree


def _text(source: str, tokens: list[Token]) -> str:
    return source[tokens[0].start : tokens[-1].end + 1]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
