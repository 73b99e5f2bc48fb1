"""Domain errors: what a domain module raises when it refuses, with a kind, never an HTTP
status. ``shared.problems`` maps the kind to a status once, for every service, so no router
reads an error's text to decide between 409 and 422."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    invalid = "invalid"        # the request itself is wrong: a missing reason, an unknown agency
    conflict = "conflict"      # right request, wrong moment: the case's status or history forbids it
    not_found = "not_found"    # what it names does not exist (for this caller)


class DomainError(Exception):
    """A refusal by the domain, with the field at fault and a reason a person can act on."""

    title = "Refused"

    def __init__(self, kind: Kind, reason: str, field: str | None = None, choices: list[str] | None = None) -> None:
        super().__init__(reason)
        self.kind, self.reason, self.field = kind, reason, field
        self.choices = choices     # the values the field takes, when they are few enough to list
