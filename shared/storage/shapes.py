"""The shape of a database query: its collection, fields, operators, sort and the types of its
values, never the values (a shape may be written to a file: see ``query_shapes_file``).

The query-plan test (tests/e2e/test_query_plans.py) collects the shapes every service sends
while the platform works and asks the database, through ``explain``, whether an index serves
each; ``example`` turns a shape back into a query with values of the same types."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

# where each command keeps its filter, and its sort
_FILTERS = {"find": ("filter", "sort"), "count": ("query", None), "findAndModify": ("query", "sort"),
            "distinct": ("query", None)}
_EXAMPLES: dict[str, Any] = {"str": "x", "int": 0, "float": 0.5, "bool": True, "datetime": datetime(2026, 1, 1, tzinfo=UTC),
                             "ObjectId": ObjectId("0" * 24), "NoneType": None}


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_typed(v) for v in value[:1]]      # an $in's or $or's first member stands for all
    return {"~": type(value).__name__}


def shapes(command_name: str, command: dict[str, Any]) -> list[dict[str, Any]]:
    """The query shapes a command carries (an update or delete command may carry several)."""
    collection = command.get(command_name)
    if not isinstance(collection, str):
        return []
    found: list[tuple[Any, Any]] = []
    if command_name in _FILTERS:
        filter_key, sort_key = _FILTERS[command_name]
        found.append((command.get(filter_key) or {}, command.get(sort_key) if sort_key else None))
    elif command_name == "aggregate":
        stages = command.get("pipeline") or []
        match = stages[0].get("$match") if stages and "$match" in stages[0] else {}
        found.append((match, None))
    elif command_name in ("update", "delete"):
        for statement in command.get("updates" if command_name == "update" else "deletes") or []:
            found.append((statement.get("q") or {}, None))
    return [{"collection": collection, "command": command_name, "filter": _typed(dict(f)),
             "sort": list(dict(s).items()) if s else None} for f, s in found]


def key(shape: dict[str, Any]) -> str:
    return json.dumps(shape, sort_keys=True, default=str)


def example(typed: Any) -> Any:
    """A filter with a value of the recorded type wherever the shape has one."""
    if isinstance(typed, dict):
        if set(typed) == {"~"}:
            return _EXAMPLES.get(typed["~"], "x")
        return {k: example(v) for k, v in typed.items()}
    if isinstance(typed, list):
        return [example(v) for v in typed]
    return typed
