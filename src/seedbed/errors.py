"""One error root for everything seedbed refuses to do.

Errors carry data (the object, the rule, the next step); the CLI turns them into
messages. Nothing here prints.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SeedbedError(Exception):
    """Base of every error seedbed raises on purpose.

    ``hint`` is the next step for the user; ``where`` names the object (a file,
    a table, a column) the error is about. ``table`` is set when the error concerns
    one table only: a run can then leave that table out and fill the others.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, where: str | None = None, table: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where
        self.table = table

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class PlanError(SeedbedError):
    """The plan (file, recipe or options) is not valid; nothing was written."""


class SchemaError(SeedbedError):
    """The schema cannot be read or does not fit what the plan asks."""


class ConnectionFailed(SeedbedError):
    """The database could not be reached."""

    # the server may answer a moment later (nothing listens yet, too many connections, a
    # timeout): worth another attempt, unlike a wrong password or a missing database
    transient: bool = False


class LoadFailed(SeedbedError):
    """The database rejected rows; the table's transaction was rolled back."""

    code: str | None = None  # the server's code for the refusal (SQLSTATE, errno, SQLite's name)


class CannotWrite(SeedbedError):
    """The database takes no more writes (its disk is full, it is read-only, the user lacks a
    right): no table would fare better, so the run stops there. The table in progress was
    rolled back; the tables committed before it stay, and the same command goes on."""


class StillReferenced(SeedbedError):
    """Rows a run did not make refer to rows it did: deleting those would orphan them."""


class TablesLeftOut(PlanError):
    """Some tables cannot be generated; each error names its table (``failures``)."""

    def __init__(self, failures: dict[str, SeedbedError]):
        names = ", ".join(failures)
        super().__init__(f"{len(failures)} table(s) cannot be generated: {names}")
        self.failures = failures


class VerificationFailed(SeedbedError):
    """What landed does not match the plan."""

    exit_code = 1


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
