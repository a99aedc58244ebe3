"""DDL files: read into the schema model, and rewritten for the target database.

- ``statements.py``: a file split into statements the way its client would run them;
- ``recover.py``: a CREATE TABLE sqlglot cannot parse, read again item by item;
- ``clauses.py``: MySQL's ``PARTITION BY`` clause;
- ``drafts.py``, ``tables.py``, ``commands.py``, ``build.py``, ``reader.py``: statements
  read into drafts, then into a ``Schema`` named and inherited as the database would,
  with a warning in ``Schema.warnings`` for each statement or part that could not be;
- ``transpile.py``, ``write.py``: DDL for the target: the file's own statements made
  re-runnable, or CREATE statements written from the model for another database.
"""

from seedbed.schema.ddl.drafts import expression_columns
from seedbed.schema.ddl.reader import parse_ddl
from seedbed.schema.ddl.statements import split_statements
from seedbed.schema.ddl.transpile import transpile_ddl
from seedbed.schema.sqlnorm import normalize_check

__all__ = ["expression_columns", "normalize_check", "parse_ddl", "split_statements", "transpile_ddl"]
