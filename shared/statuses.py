"""Report statuses as DESIGN.md names them, with LAPOR!'s own words for the public view."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    received = "received"
    assigned = "assigned"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"
    postponed = "postponed"
    archived = "archived"


LABELS_ID = {
    Status.received: "Belum Terverifikasi",
    Status.assigned: "Terdisposisi, Belum Ditindaklanjuti",
    Status.in_progress: "Terdisposisi, Sedang Diproses",
    Status.resolved: "Terdisposisi, Selesai",
    Status.closed: "Selesai",
    Status.postponed: "Tertunda",
    Status.archived: "Arsip",
}

# still with the government: not yet resolved, closed or archived
OPEN = frozenset({Status.received, Status.assigned, Status.in_progress, Status.postponed})
