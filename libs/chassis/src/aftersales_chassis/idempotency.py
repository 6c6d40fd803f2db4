"""``Idempotency-Key``: the same key and request replay the stored response; another request
with the same key is refused (422). The key row is written in the request's own
transaction, so a concurrent retry waits on it and then replays, and a failed request
leaves no key behind.
"""

from __future__ import annotations

import hashlib

from fastapi import Header, Request, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .auth import TokenVerifier
from .errors import DomainError, IdempotencyKeyReused
from .tables import idempotency_keys

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
PENDING = -1


async def idempotency_key_header(
    idempotency_key: str | None = Header(
        default=None,
        alias=HEADER,
        min_length=1,
        max_length=255,
        description="Client-chosen key; a retry with the same key and body returns the first response.",
        examples=["2f1c9a4e-return-4711"],
    ),
) -> str | None:
    return idempotency_key


def _principal_of(request: Request) -> str:
    authorization = request.headers.get("authorization", "")
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None or not authorization.lower().startswith("bearer "):
        return "anonymous"
    try:
        principal = verifier.verify(authorization[7:])
    except DomainError:
        return "anonymous"
    request.state.principal = principal  # the auth dependency reuses it instead of verifying again
    return principal.subject


async def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.url.path.encode())
    digest.update(request.url.query.encode())
    digest.update(await request.body())
    return digest.hexdigest()


class IdempotencyClaim:
    def __init__(self, principal: str, key: str, fingerprint: str) -> None:
        self.principal = principal
        self.key = key
        self.fingerprint = fingerprint

    @classmethod
    async def acquire(cls, session: AsyncSession, request: Request, key: str) -> IdempotencyClaim | Response:
        """Claims the key, or returns the stored response to replay."""
        claim = cls(_principal_of(request), key, await _fingerprint(request))
        inserted = await session.scalar(
            pg_insert(idempotency_keys)
            .values(principal=claim.principal, key=key, fingerprint=claim.fingerprint, status_code=PENDING, body=b"")
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if inserted is not None:
            return claim
        stored = (
            await session.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.principal == claim.principal, idempotency_keys.c.key == key
                )
            )
        ).one()
        if stored.fingerprint != claim.fingerprint:
            raise IdempotencyKeyReused(f"the {HEADER} '{key}' was used for a different request", header=HEADER)
        headers = {REPLAY_HEADER: "true"}
        if stored.location:
            headers["Location"] = stored.location
        return Response(stored.body, status_code=stored.status_code, media_type=stored.media_type, headers=headers)

    async def complete(self, session: AsyncSession, response: Response) -> None:
        await session.execute(
            idempotency_keys.update()
            .where(idempotency_keys.c.principal == self.principal, idempotency_keys.c.key == self.key)
            .values(
                status_code=response.status_code,
                media_type=response.media_type,
                location=response.headers.get("location"),
                body=bytes(response.body),
            )
        )
