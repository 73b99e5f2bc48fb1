"""The agency directory: a tree loaded from a data file, validated, stored, cached.

Routing loads it (``python -m services.routing.cli load-directory``) and routes by it; the
notifier and SLA read it for time zones and escalation contacts. It is reference data, so it
lives here rather than in one service.

National bodies -> ministries and provinces -> regencies/cities -> their units (OPD). Each
agency has a Kemendagri region code where it is regional, the categories it handles, SMS
keywords, a time zone and notification contacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.calendar import ZONES
from shared.events import EPOCH, utcnow
from shared.regions import is_region_code, parent_of
from shared.storage.mongo import Index

AGENCIES = "agencies"
CATEGORIES = "categories"
INDEXES = [Index(AGENCIES, [("keywords", ASCENDING)]), Index(AGENCIES, [("region_code", ASCENDING)])]

Level = Literal["national", "ministry", "province", "regency", "city", "unit", "oversight"]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["officer", "head", "coordinator", "oversight"]
    email: str | None = None
    phone: str | None = None
    chat_webhook: str | None = None


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]{1,63}$")
    name: str
    level: Level
    parent: str | None = None
    region_code: str | None = None
    timezone: str = "WIB"
    categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    coordinator: bool = False
    contacts: list[Contact] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        zone = ZONES.get(v, v)
        if zone not in ZONES.values():
            raise ValueError(f"time zone must be one of {sorted(ZONES)}")
        return zone

    @field_validator("region_code")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None and not is_region_code(v):
            raise ValueError(f"{v!r} is not a Kemendagri region code")
        return v

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        out = [k.strip().upper() for k in v]
        bad = [k for k in out if not k.isalnum()]
        if bad:
            raise ValueError(f"SMS keywords are one word of letters and digits: {bad}")
        return out


class AttributeValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    name: str = Field(max_length=120)


class ServiceAttribute(BaseModel):
    """A question a category asks beside the description (Open311's service definition):
    the size of a pothole, the clinic's name. Lists take only their keys."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    description: str = Field(max_length=200)
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] = "string"
    required: bool = False
    datatype_description: str | None = Field(None, max_length=200)
    values: list[AttributeValue] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lists_have_values(self) -> "ServiceAttribute":
        if self.datatype.endswith("valuelist") and not self.values:
            raise ValueError(f"attribute {self.code}: a {self.datatype} needs values")
        if self.values and not self.datatype.endswith("valuelist"):
            raise ValueError(f"attribute {self.code}: only a list takes values")
        return self


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")
    name: str
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    urgent: bool = False
    # what in a report of this topic means a life or someone's health is at stake now (the
    # urgency triage learns from them; its keywords teach what is the topic only)
    danger_signs: list[str] = Field(default_factory=list, max_length=100)
    attributes: list[ServiceAttribute] = Field(default_factory=list, max_length=20)

    def answers(self, given: dict[str, list[str]]) -> list[tuple[ServiceAttribute, str]]:
        """The reporter's answers to this category's questions, in their order, each as the text
        an officer reads (a list's names, not its keys); ValueError naming ``attribute[code]``
        for a missing required answer, an unknown code, a value not in the list or not a number."""
        known = {a.code: a for a in self.attributes}
        for code in given:
            if code not in known:
                raise ValueError(f"attribute[{code}]", f"{self.id} asks no {code}; see its service definition")
        out = []
        for attr in self.attributes:
            values = [v.strip() for v in given.get(attr.code, []) if v.strip()]
            if not values:
                if attr.required:
                    raise ValueError(f"attribute[{attr.code}]", f"{attr.description}: an answer is required")
                continue
            if attr.datatype.endswith("valuelist"):
                names = {v.key: v.name for v in attr.values}
                if attr.datatype == "singlevaluelist" and len(values) > 1 or any(v not in names for v in values):
                    raise ValueError(f"attribute[{attr.code}]", f"choose from {', '.join(names)}")
                text = ", ".join(names[v] for v in values)
            elif attr.datatype == "number":
                try:
                    float(values[0])
                except ValueError:
                    raise ValueError(f"attribute[{attr.code}]", "a number is expected") from None
                text = values[0]
            else:
                text = values[0][:500]
            out.append((attr, text))
        return out


class DirectoryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    # when this version was published: Open311's changeset (the load time if the file has none)
    published_at: datetime | None = None
    categories: list[Category]
    agencies: list[Agency]


class DirectoryError(ValueError):
    """The file is refused; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Directory:
    """In-memory, validated view of the directory used by the routing rules."""

    def __init__(self, agencies: Iterable[Agency], categories: Iterable[Category], version: str = "",
                 published_at: datetime | None = None) -> None:
        self.version = version
        self.published_at = published_at or EPOCH
        self.agencies = {a.id: a for a in agencies}
        self.categories = {c.id: c for c in categories}
        self.by_keyword = {k: a.id for a in self.agencies.values() for k in a.keywords}
        self.children: dict[str, list[str]] = {}
        for a in self.agencies.values():
            if a.parent:
                self.children.setdefault(a.parent, []).append(a.id)

    @property
    def national_coordinator(self) -> Agency | None:
        return next((a for a in self.agencies.values() if a.coordinator and a.level == "national"), None)

    def ancestors(self, agency_id: str) -> list[str]:
        chain, seen = [], set()
        current = self.agencies.get(agency_id)
        while current and current.parent and current.parent not in seen:
            seen.add(current.parent)
            chain.append(current.parent)
            current = self.agencies.get(current.parent)
        return chain

    def subtree(self, agency_id: str) -> list[str]:
        out, stack = [], [agency_id]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children.get(node, []))
        return out

    def contacts(self, agency_id: str | None, role: str) -> list[Contact]:
        agency = self.agencies.get(agency_id or "")
        return [c for c in agency.contacts if c.role == role] if agency else []

    def oversight_contacts(self) -> list[Contact]:
        return [c for a in self.agencies.values() if a.level == "oversight" for c in a.contacts if c.role == "oversight"]

    def coordinator_for(self, agency_id: str) -> Agency | None:
        for candidate in [agency_id, *self.ancestors(agency_id)]:
            agency = self.agencies.get(candidate)
            if agency and agency.coordinator:
                return agency
        return self.national_coordinator


def validate(data: DirectoryFile) -> Directory:
    problems: list[str] = []
    ids: set[str] = set()
    keywords: dict[str, str] = {}
    category_ids = {c.id for c in data.categories}
    for a in data.agencies:
        if a.id in ids:
            problems.append(f"agency {a.id}: duplicate id")
        ids.add(a.id)
        for k in a.keywords:
            if k in keywords:
                problems.append(f"agency {a.id}: SMS keyword {k} already belongs to {keywords[k]}")
            keywords[k] = a.id
        for c in a.categories:
            if c not in category_ids:
                problems.append(f"agency {a.id}: unknown category {c}")
    for cat in data.categories:
        codes = [attr.code for attr in cat.attributes]
        if len(codes) != len(set(codes)):
            problems.append(f"category {cat.id}: an attribute code is used twice")
    by_id = {a.id: a for a in data.agencies}
    for a in data.agencies:
        if a.parent is not None and a.parent not in by_id:
            problems.append(f"agency {a.id}: unknown parent {a.parent}")
        parent = by_id.get(a.parent or "")
        if a.region_code and parent and parent.region_code:
            if a.region_code != parent.region_code and parent_of(a.region_code) != parent.region_code:
                problems.append(f"agency {a.id}: region {a.region_code} is not within its parent's {parent.region_code}")
    directory = Directory(data.agencies, data.categories, data.version, data.published_at)
    for a in data.agencies:
        if a.id in directory.ancestors(a.id):
            problems.append(f"agency {a.id}: parent chain loops back to itself")
    if directory.national_coordinator is None:
        problems.append("no national coordinator (an agency with level national and coordinator: true)")
    if problems:
        raise DirectoryError(problems)
    return directory


def load_file(path: Path) -> Directory:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DirectoryError([f"{path}: {exc}"]) from exc
    try:
        data = DirectoryFile.model_validate(raw)
    except ValueError as exc:
        raise DirectoryError([f"{path}: {line}" for line in str(exc).splitlines()[1:] if line.strip()]) from exc
    return validate(data)


async def store(db: AsyncDatabase, directory: Directory) -> int:
    """Replace the stored directory with this one (agencies not in the file are removed)."""
    agencies = db[AGENCIES]
    # one replace per document (see shared.storage.outbox on FerretDB and bulk writes)
    # a file without its publication time was published now, by this load
    published = directory.published_at if directory.published_at > EPOCH else utcnow()
    for a in directory.agencies.values():
        await agencies.replace_one({"_id": a.id}, {"_id": a.id, **a.model_dump(), "directory_version": directory.version,
                                                   "directory_published_at": published}, upsert=True)
    await agencies.delete_many({"_id": {"$nin": list(directory.agencies)}})
    for c in directory.categories.values():
        await db[CATEGORIES].replace_one({"_id": c.id}, {"_id": c.id, **c.model_dump()}, upsert=True)
    await db[CATEGORIES].delete_many({"_id": {"$nin": list(directory.categories)}})
    return len(directory.agencies)


async def fetch(db: AsyncDatabase) -> Directory:
    def strip(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k not in ("_id", "directory_version", "directory_published_at")}

    agencies = [Agency.model_validate(strip(d)) async for d in db[AGENCIES].find({})]
    categories = [Category.model_validate(strip(d)) async for d in db[CATEGORIES].find({})]
    first = await db[AGENCIES].find_one({}) or {}
    published = first.get("directory_published_at")
    return Directory(agencies, categories, first.get("directory_version", ""),
                     published.replace(tzinfo=UTC) if isinstance(published, datetime) and published.tzinfo is None
                     else published)


def directory_of(runtime: Any) -> Directory:
    """The directory this service keeps fresh (``keep_fresh``); the one place that reads it."""
    directory: Directory | None = runtime.directory
    assert directory is not None, "the service keeps no directory (shared.directory.keep_fresh)"
    return directory


def get_directory(request: Request) -> Directory:
    return directory_of(request.app.state.runtime)


DirectoryDep = Annotated[Directory, Depends(get_directory)]


async def keep_fresh(runtime: Any, every: float) -> None:
    """Put the stored directory in ``runtime.directory`` now and re-read it periodically."""
    import asyncio

    from shared.observability.logging import get_logger

    log = get_logger(__name__)
    runtime.directory = await fetch(runtime.db)
    if not runtime.directory.agencies:
        log.warning("the agency directory is empty: load one with python -m services.routing.cli load-directory")

    async def refresh() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                runtime.directory = await fetch(runtime.db)
            except Exception as exc:  # keep the copy we have
                log.warning("directory refresh failed", error=repr(exc))

    runtime.spawn(refresh(), "directory-refresh")
