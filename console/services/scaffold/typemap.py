"""How a catalog `Field` is spelled in TypeScript, Convex, Postgres and Drizzle.

Jinja filters of the generator: templates ask for `f | ts_type`,
`f | convex_validator`... and never spell a type mapping themselves, so the
four representations of a record cannot drift apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from console.services.scaffold.catalog import Entity, Field


def ts_string(value: str) -> str:
    """A TypeScript string literal (JSON string syntax is valid TypeScript)."""
    return json.dumps(value, ensure_ascii=False)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def ts_type(f: Field) -> str:
    base = {
        "string": "string",
        "text": "string",
        "datetime": "string",
        "int": "number",
        "bool": "boolean",
        "string_list": "string[]",
        "json": f.ts,
        "enum": " | ".join(ts_string(v) for v in f.values),
    }[f.kind]
    return f"{base} | null" if f.optional else base


def convex_validator(f: Field) -> str:
    base = {
        "string": "v.string()",
        "text": "v.string()",
        "datetime": "v.string()",
        "int": "v.number()",
        "bool": "v.boolean()",
        "string_list": "v.array(v.string())",
        "json": "v.any()",
        "enum": "v.union(" + ", ".join(f"v.literal({ts_string(v)})" for v in f.values) + ")",
    }[f.kind]
    return f"v.union({base}, v.null())" if f.optional else base


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_column(f: Field) -> str:
    """The column definition in a Postgres `create table` (Supabase migration)."""
    kind = {
        "string": "text",
        "text": "text",
        "datetime": "timestamptz",
        "int": "bigint",
        "bool": "boolean",
        "string_list": "text[]",
        "json": "jsonb",
        "enum": "text",
    }[f.kind]
    parts = [f.column, kind]
    if f.kind == "string_list":
        parts.append("not null default '{}'")
    elif not f.optional:
        parts.append("not null")
    if f.kind == "enum":
        allowed = ", ".join(_sql_literal(v) for v in f.values)
        parts.append(f"check ({f.column} in ({allowed}))")
    return " ".join(parts)


def supabase_type(f: Field) -> str:
    """TypeScript type of the column in the Supabase `Database` type (json as `Json`)."""
    if f.kind == "json":
        return "Json | null" if f.optional else "Json"
    return ts_type(f)


def drizzle_column(f: Field) -> str:
    col = ts_string(f.column)
    expr = {
        "string": f"text({col})",
        "text": f"text({col})",
        "datetime": f'timestamp({col}, {{ withTimezone: true, mode: "date" }})',
        "int": f'bigint({col}, {{ mode: "number" }})',
        "bool": f"boolean({col})",
        "string_list": f"text({col}).array()",
        "json": f"jsonb({col}).$type<{f.ts}>()",
        "enum": f"text({col}, {{ enum: [{', '.join(ts_string(v) for v in f.values)}] }})",
    }[f.kind]
    if f.kind == "string_list":
        return expr + ".notNull().default(sql`'{}'::text[]`)"
    return expr if f.optional else expr + ".notNull()"


def from_db(f: Field, source: str, backend: str) -> str:
    """Expression reading field `f` of a database row `source` as the API type."""
    if backend == "supabase":
        value = f"{source}.{f.column}"
        if f.kind == "json":
            return f"{value} as unknown as {ts_type(f)}"
        return value
    if backend == "neon_drizzle":
        value = f"{source}.{f.name}"
        if f.kind == "datetime":
            return f"{value}?.toISOString() ?? null" if f.optional else f"{value}.toISOString()"
        return value
    # convex: documents store the API shape.
    value = f"{source}.{f.name}"
    return f"{value} ?? null" if f.optional else value


def to_db(f: Field, source: str, backend: str) -> str:
    """Expression writing API field `f` of `source` into a database row."""
    raw = f"{source}.{f.name}"
    if backend == "neon_drizzle" and f.kind == "datetime":
        return f"{raw} ? new Date({raw}) : null" if f.optional else f"new Date({raw})"
    value = raw
    if f.optional:
        value = f"({raw} ?? null)"
    elif f.kind == "string_list":
        value = f"({raw} ?? [])"
    if backend == "supabase" and f.kind == "json":
        return f"{value} as unknown as Json"
    return value


def read_fields(entity: Entity, source: str, backend: str, indent: int = 4) -> str:
    """Object-literal lines `name: <row value>,` building the API record from a row."""
    pad = " " * indent
    return "\n".join(f"{pad}{f.name}: {from_db(f, source, backend)}," for f in entity.fields)


def write_fields(
    entity: Entity, source: str, backend: str, indent: int = 4, *, columns: bool = False
) -> str:
    """Object-literal lines `key: <value>,` building a row from the API record `source`."""
    pad = " " * indent
    return "\n".join(
        f"{pad}{f.column if columns else f.name}: {to_db(f, source, backend)},"
        for f in entity.fields
    )


def type_names(types: list[str]) -> list[str]:
    """Sorted identifiers named in TypeScript type expressions (`Page<Product>`: Page, Product)."""
    names: set[str] = set()
    for expression in types:
        names.update(re.findall(r"\b[A-Z][A-Za-z0-9]*\b", expression))
    return sorted(names)


def _fields(entities: Iterable[Entity]) -> list[Field]:
    return [f for e in entities for f in e.fields]


def has_kind(entities: Iterable[Entity], kind: str) -> bool:
    return any(f.kind == kind for f in _fields(entities))


def json_type_names(entities: Iterable[Entity]) -> list[str]:
    """TypeScript types named by the `json` fields of `entities` (to import them)."""
    return type_names([f.ts for f in _fields(entities) if f.kind == "json"])


def drizzle_imports(entities: Iterable[Entity]) -> list[str]:
    """The `drizzle-orm/pg-core` helpers the schema of `entities` uses."""
    used = {"pgTable", "text", "timestamp", "uuid"}
    for f in _fields(entities):
        used.add({"int": "bigint", "bool": "boolean", "json": "jsonb"}.get(f.kind, "text"))
    if any(e.owner_field for e in entities):
        used.add("index")
    return sorted(used)


FILTERS = {
    "has_kind": has_kind,
    "json_type_names": json_type_names,
    "drizzle_imports": drizzle_imports,
    "ts_string": ts_string,
    "ts_type": ts_type,
    "camel": camel,
    "convex_validator": convex_validator,
    "sql_column": sql_column,
    "supabase_type": supabase_type,
    "drizzle_column": drizzle_column,
    "read_fields": read_fields,
    "write_fields": write_fields,
}
