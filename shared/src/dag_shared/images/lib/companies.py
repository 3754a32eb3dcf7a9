"""The company table a location's logo pipeline reads and writes, named by configuration.

CD: `company(company_id uuid, name, logo)`; DS: `company(id, name, thumbnail, is_deleted)`.
Identifiers are quoted with psycopg's `sql.Identifier`; values are parameters. Ids are compared
as text, so uuid, integer and text keys all work with the `clogo-<id>` object keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CompanyTable:
    id_column: str
    target_column: str
    table: str = "company"
    name_column: str = "name"
    deleted_column: str | None = None  # rows with TRUE here are never crawled

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> CompanyTable:
        """The table described by `as_dict()`; TypeError or ValueError for anything else."""
        if not isinstance(values, dict):
            raise TypeError(f"a company table is a mapping, not {type(values).__name__}")
        fields = {"id_column", "target_column", "table", "name_column", "deleted_column"}
        if not {"id_column", "target_column"} <= set(values) or set(values) - fields:
            raise ValueError(f"a company table needs id_column and target_column, got {sorted(values)}")
        for name, value in values.items():
            if not (isinstance(value, str) and value) and not (name == "deleted_column" and value is None):
                raise ValueError(f"company table {name} must be a non-empty string, got {value!r}")
        return cls(**values)

    def _names(self):
        from psycopg import sql

        return {
            "t": sql.Identifier(*self.table.split(".")),
            "id": sql.Identifier(self.id_column),
            "name": sql.Identifier(self.name_column),
            "target": sql.Identifier(self.target_column),
        }


def needing_logo(
    conn: Any, table: CompanyTable, limit: int | None = None, after: str | None = None
) -> list[tuple[str, str]]:
    """(id, name) of every company without a logo URL yet, by id.

    With `limit`, a batch: the next `limit` companies after id `after` (the previous batch's last),
    wrapping around to the start, so companies whose search shows no logo never hold back the rest.
    """
    from psycopg import sql

    names = table._names()
    where = [sql.SQL("({target} IS NULL OR {target} = '')").format(**names)]
    if table.deleted_column:
        where.append(sql.SQL("NOT coalesce({}, false)").format(sql.Identifier(table.deleted_column)))

    def select(extra: sql.Composable | None, count: int | None) -> list[tuple[str, str]]:
        query = sql.SQL("SELECT {id}::text, {name} FROM {t} WHERE {where} ORDER BY {id}::text").format(
            where=sql.SQL(" AND ").join(where + ([extra] if extra is not None else [])), **names
        )
        if count is not None:
            query = sql.SQL("{} LIMIT {}").format(query, sql.Literal(int(count)))
        return [(row[0], row[1]) for row in conn.execute(query).fetchall()]

    if limit is None or after is None:
        return select(None, limit)
    batch = select(sql.SQL("{id}::text > {after}").format(after=sql.Literal(after), **names), limit)
    if len(batch) < limit:
        wrapped = select(sql.SQL("{id}::text <= {after}").format(after=sql.Literal(after), **names), limit)
        batch += wrapped[: limit - len(batch)]
    return batch


def existing(conn: Any, table: CompanyTable, ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """{id: (name, current URL)} of those of `ids` that exist."""
    from psycopg import sql

    query = sql.SQL("SELECT {id}::text, {name}, {target} FROM {t} WHERE {id}::text = ANY(%s)").format(
        **table._names()
    )
    return {row[0]: (row[1], row[2]) for row in conn.execute(query, (list(ids),)).fetchall()}


def set_urls(conn: Any, table: CompanyTable, urls: dict[str, str]) -> list[tuple[str, str, str]]:
    """Writes each company's URL in one statement; returns (id, name, url) of the rows that changed."""
    from psycopg import sql

    if not urls:
        return []
    query = sql.SQL(
        "UPDATE {t} SET {target} = u.url FROM unnest(%s::text[], %s::text[]) AS u(id, url) "
        "WHERE {t}.{id}::text = u.id AND {t}.{target} IS DISTINCT FROM u.url "
        "RETURNING {t}.{id}::text, {t}.{name}, u.url"
    ).format(**table._names())
    ids = sorted(urls)
    rows = conn.execute(query, (ids, [urls[i] for i in ids])).fetchall()
    return sorted((row[0], row[1], row[2]) for row in rows)


def urls_under(conn: Any, table: CompanyTable, base_url: str) -> list[tuple[str, str]]:
    """(id, url) of every company whose URL starts with the public base URL."""
    from psycopg import sql

    query = sql.SQL("SELECT {id}::text, {target} FROM {t} WHERE starts_with({target}, %s) ORDER BY 1").format(
        **table._names()
    )
    return [(row[0], row[1]) for row in conn.execute(query, (base_url.rstrip("/") + "/",)).fetchall()]
