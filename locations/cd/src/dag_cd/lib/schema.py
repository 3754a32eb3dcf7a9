"""The CD warehouse tables, declared once and rendered as DDL for Postgres and for libsql.

Both sinks get the same tables, columns and keys, so every step runs unchanged against either.
Per sink: Postgres stores dates as `date`, ids as `uuid` and `security_rank.metric_type` as the
enum `metric_type`; libsql stores dates as `YYYY-MM-DD` text, ids as text and the metric as text
with a CHECK. Keys make every load idempotent: facts are keyed by (date, exchange, ticker).
"""

from __future__ import annotations

from dataclasses import dataclass

from dag_cd.lib.results import ColumnSchema

METRICS = ("marketcap", "bps", "per", "pbr", "eps", "div", "dps")

# logical type -> (postgres, sqlite)
_TYPES = {
    "text": ("text", "TEXT"),
    "id": ("uuid", "TEXT"),
    "date": ("date", "TEXT"),
    "timestamp": ("timestamp", "TEXT"),
    "bigint": ("bigint", "INTEGER"),
    "int": ("integer", "INTEGER"),
    "float": ("double precision", "REAL"),
    "metric": (
        "metric_type",
        "TEXT CHECK (metric_type IN ({}))".format(", ".join(f"'{m}'" for m in METRICS)),
    ),
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, logical type)
    key: tuple[str, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    mirrored: bool = True  # compared row by row between Postgres and Turso

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def types(self) -> list[str]:
        return [t for _, t in self.columns]


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(item.split(":")) for item in spec.split())  # type: ignore[misc]


_FACT_LINK = "security_id:id name:text kor_name:text year:int month:int"
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("stockcodename", _cols("date:date exchange:text ticker:text name:text"),
              key=("date", "exchange", "ticker")),
        Table("company", _cols(
            "company_id:id name:text kor_name:text country:text type:text created_at:timestamp "
            "updated_at:timestamp marketcap:bigint marketcap_date:date marketcap_rank:int "
            "marketcap_prior_rank:int logo:text"), key=("company_id",), unique=(("name",),)),
        Table("security", _cols(
            "security_id:id ticker:text name:text kor_name:text exchange:text country:text type:text "
            "listing_date:date delisting_date:date company_id:id updated_at:timestamp "
            "price:bigint price_date:date shares:bigint shares_date:date marketcap:bigint "
            "marketcap_date:date bps:bigint bps_date:date per:float per_date:date pbr:float "
            "pbr_date:date eps:bigint eps_date:date div:float div_date:date dps:bigint dps_date:date "
            "marketcap_rank:int marketcap_prior_rank:int"),
            key=("security_id",), unique=(("ticker", "exchange"),), indexes=(("company_id",),)),
        Table("tmp_prices", _cols(
            "date:date exchange:text ticker:text open:bigint high:bigint low:bigint close:bigint "
            "volume:bigint transaction:bigint rate:float"), key=("date", "exchange", "ticker")),
        Table("price", _cols(
            "date:date exchange:text ticker:text open:bigint high:bigint low:bigint close:bigint "
            "volume:bigint transaction:bigint rate:float " + _FACT_LINK),
            key=("date", "exchange", "ticker"), indexes=(("security_id", "date"),)),
        Table("tmp_marketcaps", _cols(
            "date:date exchange:text ticker:text close:bigint marketcap:bigint volume:bigint "
            "transaction:bigint shares:bigint"), key=("date", "exchange", "ticker")),
        Table("marketcap", _cols(
            "date:date exchange:text ticker:text marketcap:bigint volume:bigint transaction:bigint "
            "shares:bigint " + _FACT_LINK), key=("date", "exchange", "ticker"),
            indexes=(("security_id", "date"),)),
        Table("tmp_bppedds", _cols(
            "date:date exchange:text ticker:text bps:bigint per:float pbr:float eps:bigint div:float "
            "dps:bigint"), key=("date", "exchange", "ticker")),
        Table("bppedd", _cols(
            "date:date exchange:text ticker:text bps:bigint per:float pbr:float eps:bigint div:float "
            "dps:bigint " + _FACT_LINK), key=("date", "exchange", "ticker"),
            indexes=(("security_id", "date"),)),
        Table("security_rank", _cols(
            "security_id:id metric_type:metric rank_date:date current_rank:int prior_rank:int "
            "value:float updated_at:timestamp"), key=("security_id", "metric_type", "rank_date"),
            indexes=(("rank_date", "metric_type"),)),
        Table("display_name", _cols('company_id:id company_name:text value:text order:int'),
              key=("company_id", "value")),
        Table("search_name", _cols("company_id:id company_name:text value:text order:int origin:text"),
              key=("company_id", "value")),
        # One row per (day, exchange) load step that feeds gold, written when the step succeeded
        # (cd_guards): the gold steps of a day run only on complete ledgers.
        Table("load_ledger", _cols("date:date exchange:text step:text updated_at:timestamp"),
              key=("date", "exchange", "step")),
    )
}  # fmt: skip

# Columns that differ between runs by design (wall-clock stamps) and are not compared for parity.
VOLATILE_COLUMNS = frozenset({"created_at", "updated_at"})


def quote(column: str) -> str:
    return f'"{column}"'


def ddl(dialect: str) -> list[str]:
    """CREATE statements (idempotent) for every table, in dependency order."""
    which = 0 if dialect == "postgres" else 1
    statements = []
    if dialect == "postgres":
        values = ", ".join(f"'{m}'" for m in METRICS)
        statements.append(
            "DO $$ BEGIN CREATE TYPE metric_type AS ENUM (" + values + "); "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    for table in TABLES.values():
        parts = [f"{quote(c)} {_TYPES[t][which]}" for c, t in table.columns]
        parts.append(f"PRIMARY KEY ({', '.join(map(quote, table.key))})")
        parts += [f"UNIQUE ({', '.join(map(quote, cols))})" for cols in table.unique]
        statements.append(f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(parts)})")
        for cols in table.indexes:
            index = f"{table.name}_{'_'.join(cols)}_idx"
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table.name} ({', '.join(map(quote, cols))})"
            )
    return statements


def columns_of(table: str) -> ColumnSchema:
    """The column schema of a warehouse table, in Postgres types."""
    spec = TABLES[table]
    return ColumnSchema(tuple(spec.column_names), tuple(_TYPES[t][0] for t in spec.types()))
