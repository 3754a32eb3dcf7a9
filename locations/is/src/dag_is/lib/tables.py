"""Column names and types of the ingest tables, read from their DDL (for the column-schema metadata)."""

from __future__ import annotations

import re

from dag_is.lib.ddl import STATEMENTS

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*)\)\s*$", re.DOTALL)
_COLUMN = re.compile(r'^\s*"?(\w+)"?\s+(\w+)')
_NOT_COLUMNS = {"CONSTRAINT", "PRIMARY", "UNIQUE"}


def _columns() -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for statement in STATEMENTS:
        match = _CREATE.match(statement)
        if match is None:
            continue
        columns = []
        for line in match[2].split("\n"):
            column = _COLUMN.match(line)
            if column and column[1] not in _NOT_COLUMNS:
                columns.append((column[1], column[2]))
        tables[match[1]] = columns
    return tables


TABLE_COLUMNS = _columns()
