"""The project's FerretDB patch pushes filters, sorts, limits and counts on indexed fields down
to SQLite (scripts/ferretdb-v1-sqlite.patch). Whatever it pushes down, the answers must be the
ones FerretDB gives when it filters and sorts every document itself: here the same data and
queries go to the running FerretDB and to a second one started with pushdown disabled."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo import MongoClient
from pymongo.database import Database

from harness.infra import MONGO_PORT, Isolation, ferretdb_beside

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OIDS = [ObjectId(f"6{i:023x}") for i in range(5)]
VALUES: dict[str, list[Any]] = {
    "str": ["a", "b", "ab", "B", "é", "ß", "", 'a"b', "[x", "1", "10", "ئ", "😀"],
    "int": [0, 1, 2, -3, 10, 2**40, -(2**40)],
    "dbl": [0.5, 1.0, -0.0, 2.5, 1e20, -7.25],
    "bool": [True, False],
    "date": [T0 + timedelta(days=d, milliseconds=d) for d in range(-3, 4)],
    "oid": OIDS,
    "null": [None],
    "arr": [["a", 1], ["b"], []],
    "doc": [{"x": 1}, {}],
}
# one family, families mixed, and fields that hold arrays or documents (never pushed down)
MIXES = [["str"], ["int", "dbl"], ["date"], ["bool"], ["oid"], ["str", "null"], ["int", "date"],
         ["str", "oid"], ["bool", "int"], ["str", "int", "date", "bool", "oid", "null"], ["str", "arr"],
         ["int", "doc", "date"]]
PUSHABLE = [m for m in MIXES if not {"arr", "doc"} & set(m)]


@pytest.fixture
def pair(isolation: Isolation) -> Iterator[tuple[Database, Database]]:
    with ferretdb_beside("--test-disable-pushdown") as url:
        pushed = MongoClient(f"mongodb://127.0.0.1:{MONGO_PORT}", tz_aware=True)
        plain = MongoClient(url, tz_aware=True)
        try:
            yield pushed[isolation.mongo_db], plain[isolation.mongo_db]
        finally:
            pushed.drop_database(isolation.mongo_db)
            pushed.close()
            plain.close()


def value(rnd: random.Random, kinds: list[str]) -> Any:
    return rnd.choice(VALUES[rnd.choice(kinds)])


def key(v: Any) -> str:
    """A value as the comparison sees it: 1 and 1.0 are one number."""
    return repr(float(v)) if type(v) in (int, float) else repr(v)


def query(rnd: random.Random, kinds: list[str]) -> tuple[dict[str, Any], list[tuple[str, int]] | None, int]:
    op = rnd.choice(["eq", "$eq", "$lt", "$lte", "$gt", "$gte", "$in", "$ne"])
    v = value(rnd, kinds)
    cond = v if op == "eq" else {"$in": [v, value(rnd, kinds)]} if op == "$in" else {op: v}
    field = rnd.choice(["f", "g"])
    flt: dict[str, Any] = {field: cond}
    if rnd.random() < 0.3:
        flt["g" if field == "f" else "f"] = value(rnd, kinds)
    if rnd.random() < 0.2:
        flt["f"] = {"$gte": value(rnd, kinds), "$lt": value(rnd, kinds)}
    if rnd.random() < 0.2:
        flt = {"$and": [{k: v} for k, v in flt.items()]}
    if rnd.random() < 0.1:
        flt["_id"] = {"$in": rnd.sample(range(150), 40)}
    sort = rnd.choice([None, [("f", 1)], [("f", -1)], [("g", 1), ("f", -1)], [("g", -1)], [("f", 1), ("_id", -1)]])
    return flt, sort, rnd.choice([0, 1, 5])


def answer(db: Database, flt: dict[str, Any], sort: list[tuple[str, int]] | None, limit: int) -> Any:
    cursor = db.m.find(flt)
    if sort:
        cursor = cursor.sort(sort)
    if limit:
        cursor = cursor.limit(limit)
    docs = list(cursor)
    count = db.command("count", "m", query=flt)["n"]
    if sort:       # ties may come in either order: compare the sort keys
        return [tuple(key(d.get(k)) for k, _ in sort) for d in docs], count
    return (sorted(d["_id"] for d in docs) if not limit else len(docs)), count


def fill(dbs: tuple[Database, ...], rnd: random.Random, kinds: list[str], index_first: bool) -> None:
    docs = []
    for i in range(150):
        doc: dict[str, Any] = {"_id": i}
        for field in ("f", "g"):
            if rnd.random() < 0.9:
                doc[field] = value(rnd, kinds)
        docs.append(doc)
    for db in dbs:
        db.drop_collection("m")
        if index_first:
            db.m.create_index([("f", 1)])
            db.m.create_index([("g", 1), ("f", -1)])
        db.m.insert_many(docs[:100])
        if not index_first:
            db.m.create_index([("f", 1)])
            db.m.create_index([("g", 1), ("f", -1)])
        db.m.insert_many(docs[100:])
        # updates that change a field's type go through the same bookkeeping
        for i in range(0, 150, 15):
            db.m.update_one({"_id": i}, {"$set": {"f": docs[(i * 7) % 150].get("f")}})


@pytest.mark.parametrize("index_first", [True, False], ids=["index-then-data", "data-then-index"])
def test_pushed_down_queries_answer_as_the_handler_alone(pair: tuple[Database, Database], index_first: bool) -> None:
    pushed, plain = pair
    rnd = random.Random(21)
    differences, pushed_down = [], 0
    for kinds in MIXES:
        fill(pair, rnd, kinds, index_first)
        for _ in range(120):
            flt, sort, limit = query(rnd, kinds)
            got, want = answer(pushed, flt, sort, limit), answer(plain, flt, sort, limit)
            if got != want:
                differences.append((kinds, flt, sort, limit, got, want))
        explained = pushed.command("explain", {"find": "m", "filter": {"f": {"$gte": VALUES[kinds[0]][0]}}})
        pushed_down += explained["filterPushdown"]
        assert explained["filterPushdown"] == (kinds in PUSHABLE), kinds
    assert not differences, differences[:3]
    assert pushed_down == len(PUSHABLE)


def test_a_field_that_has_held_an_array_is_left_to_the_handler(pair: tuple[Database, Database]) -> None:
    db = pair[0]
    db.m.create_index([("f", 1)])
    db.m.insert_many([{"_id": i, "f": f"v{i}"} for i in range(20)])
    assert db.command("explain", {"find": "m", "filter": {"f": "v3"}})["filterPushdown"]
    db.m.update_one({"_id": 4}, {"$set": {"f": ["v3", "w"]}})
    # MongoDB matches an array by its elements; SQLite's value of an array is its JSON text
    assert sorted(d["_id"] for d in db.m.find({"f": "v3"})) == [3, 4]
    assert db.m.count_documents({"f": "v3"}) == 2
    assert not db.command("explain", {"find": "m", "filter": {"f": "v3"}})["filterPushdown"]


def test_a_sorted_page_is_read_from_the_compound_index(pair: tuple[Database, Database]) -> None:
    db = pair[0]
    db.m.create_index([("agency_id", 1), ("urgent", -1), ("due", 1)])
    db.m.insert_many([{"_id": i, "agency_id": f"a{i % 4}", "urgent": i % 5 == 0, "due": T0 + timedelta(hours=i % 17)}
                      for i in range(400)])
    cmd = {"find": "m", "filter": {"agency_id": "a1"}, "sort": {"urgent": -1, "due": 1}, "limit": 10}
    plan = db.command("explain", cmd)
    assert plan["filterPushdown"] and plan["sortPushdown"] and plan["limitPushdown"]
    detail = " ".join(plan["queryPlanner"]["Plan"])
    assert "agency_id_1_urgent_-1_due_1" in detail and "TEMP B-TREE" not in detail
    page = list(db.m.find(cmd["filter"]).sort([("urgent", -1), ("due", 1)]).limit(10))
    everything = sorted((d for d in db.m.find({}) if d["agency_id"] == "a1"), key=lambda d: (not d["urgent"], d["due"]))
    assert [(d["urgent"], d["due"]) for d in page] == [(d["urgent"], d["due"]) for d in everything[:10]]
    # a date stored in a field that held numbers: the filter is pushed down, the limit is not
    db.m.insert_one({"_id": "n", "agency_id": "a1", "urgent": True, "due": 5})
    plan = db.command("explain", cmd)
    assert plan["filterPushdown"] and not plan["limitPushdown"]
    assert [d["_id"] for d in db.m.find(cmd["filter"]).sort([("urgent", -1), ("due", 1)]).limit(1)] == ["n"]
