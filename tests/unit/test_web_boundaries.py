"""The portal is a client of the services' HTTP APIs like any integrator: no module of it
imports a database or broker client, the storage or messaging layers, or another service;
and no service imports it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("pymongo", "motor", "aio_pika", "aiormq", "pamqp", "shared.storage", "shared.messaging", "shared.runtime",
             "shared.health", "shared.directory", "services.intake", "services.routing", "services.notifier",
             "services.sla")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_portal_imports_no_database_broker_or_other_service() -> None:
    files = list((ROOT / "services" / "web").rglob("*.py"))
    assert len(files) > 10
    found = {f"{p.relative_to(ROOT)}: {name}" for p in files for name in _imports(p)
             if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)}
    assert not found, sorted(found)


def test_no_service_imports_the_portal() -> None:
    for name in ("intake", "routing", "notifier", "sla"):
        for path in (ROOT / "services" / name).rglob("*.py"):
            assert not any(i.startswith("services.web") for i in _imports(path)), path
    for path in (ROOT / "shared").rglob("*.py"):
        assert not any(i.startswith("services") for i in _imports(path)), path
