"""What a bearer token says: the roles, and minting one (HS256). Only PyJWT and the standard
library, so that ``make token`` starts fast; checking a token is ``auth.py``'s."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

ALGORITHM = "HS256"


class Role(StrEnum):
    customer = "customer"
    agent = "agent"
    supervisor = "supervisor"
    warehouse = "warehouse"
    finance = "finance"
    merchant = "merchant"
    qc = "qc"  # 品管部: inspects returned goods (P2B2)
    service = "service"


def mint_token(
    secret: str,
    *,
    subject: str,
    roles: Iterable[Role | str],
    scopes: Iterable[str] = (),
    merchant_id: str | None = None,
    issuer: str = "aftersales",
    ttl: timedelta = timedelta(hours=12),
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [Role(r).value for r in roles],
        "scopes": list(scopes),
        "iss": issuer,
        "iat": now,
        "exp": now + ttl,
    }
    if merchant_id:
        claims["merchant_id"] = merchant_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
