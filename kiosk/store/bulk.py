"""Bulk inserts at driver speed, for registry imports and bulk 照会番号 registration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table

from kiosk.store.models import Base


def insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A driver-level executemany with the columns' own bind processors: the ORM/Core per-row parameter
    handling costs more than the insert itself at a million rows."""
    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.bind_processor(dialect) for name in names]
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":{}", "named": ":{}"}[dialect.paramstyle]
    slots = ", ".join(marker.format(name) if "{" in marker else marker for name in names)
    preparer = dialect.identifier_preparer
    sql = f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(n) for n in names)}) VALUES ({slots})"
    if dialect.paramstyle in ("named", "numeric"):
        connection.exec_driver_sql(sql, [{n: row[n] for n in names} for row in rows])
        return
    converting = [(index, proc) for index, proc in enumerate(processors) if proc is not None]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        if converting:
            items = list(row.values())
            for index, proc in converting:
                items[index] = proc(items[index])
            values.append(tuple(items))
        else:
            values.append(tuple(row.values()))
    connection.exec_driver_sql(sql, values)


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table
