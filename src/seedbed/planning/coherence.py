"""Columns of one row that describe one thing agree: a person, an address.

Inference picks each column's generator on its own; these passes then tie the ones that
describe the same thing. A person's email and username are made from the row's own first
and last name (or its full name), and its full name is those two; an address's state,
postal code and country come from one region of the locale (``generate/generators/places.py``).
"""

from __future__ import annotations

from typing import Any

_ADDRESS = ("city", "state", "postcode", "country", "country_code")  # fake kinds that are address parts


def _fake_column(columns: dict[str, Any], kind: str) -> str | None:
    return next((c for c, e in columns.items() if e == {"fake": kind}), None)


def coherent_people(columns: dict[str, Any]) -> None:
    """Email, username and full name from the row's own name columns."""
    first, last = _fake_column(columns, "first_name"), _fake_column(columns, "last_name")
    full = _fake_column(columns, "full_name")
    if first and last:
        if full:
            columns[full] = {"format": f"{{{first}}} {{{last}}}"}
        for name, entry in columns.items():
            text = entry.get("format") if isinstance(entry, dict) else None
            if isinstance(text, str) and "{@first_name" in text:
                columns[name] = {**entry, "format": text.replace("{@first_name", "{" + first).replace(
                    "{@last_name", "{" + last
                )}  # fmt: skip
    elif full:
        for name, entry in columns.items():
            text = entry.get("format") if isinstance(entry, dict) else None
            if isinstance(text, str) and text.startswith("{@first_name|lower}.{@last_name|lower}"):
                columns[name] = {
                    **entry,
                    "format": text.replace("{@first_name|lower}.{@last_name|lower}", f"{{{full}|slug}}"),
                }
            elif isinstance(text, str) and text.startswith("{@first_name|lower}{@last_name|first|lower}"):
                columns[name] = {
                    **entry,
                    "format": text.replace("{@first_name|lower}{@last_name|first|lower}", f"{{{full}|alnum|lower}}"),
                }


def coherent_address(columns: dict[str, Any]) -> None:
    """Two or more address parts in one row: all from one region of the locale."""
    found = {c: part for c, e in columns.items() for part in _ADDRESS if e == {"fake": part}}
    if len(found) >= 2:
        for column, part in found.items():
            columns[column] = {"address": part}
