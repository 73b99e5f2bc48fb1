"""Authentication shared by the services.

The operator token guards operator endpoints (notifications log, parked messages). Officer
and coordinator JWTs come with the case API.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header

from shared.problems import Problem
from shared.runtime import Runtime, get_runtime


async def require_operator(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header(max_length=512)] = None,
) -> None:
    expected = runtime.settings.operator_token.get_secret_value()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Problem(401, "Unauthorized", "an operator bearer token is required",
                      headers={"WWW-Authenticate": "Bearer"})
