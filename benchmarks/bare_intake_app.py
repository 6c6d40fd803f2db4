"""The complaint bench's ceiling of the stack: FastAPI on uvicorn, a pydantic body and an
asyncpg pool writing the raw path's rows with the raw path's statements, and nothing else.

No authentication, middleware, ORM, lookups, locks, merge, priority rule, business calendar,
event envelope per complaint, metrics or log line: what any service on this stack pays for a
request before it does its own work. ``benchmarks.complaint_intake`` runs it beside the app
and the raw paths, in the same round, so the app's ratio to raw can be read against the
ratio this skeleton reaches. Not a service: it serves the bench only.

Run by the bench as ``uvicorn benchmarks.bare_intake_app:app`` with
``BENCH_BARE_DATABASE_URL`` set to the bench's scratch database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from fastapi import FastAPI
from pydantic import BaseModel

from .complaint_intake import RAW_AUDIT, RAW_CLOCKS, RAW_COMPLAINT, RAW_MESSAGE, RAW_OUTBOX, opened_envelope
from .harness import libpq


class Sender(BaseModel):
    customer_id: str
    handle: str
    name: str


class Complaint(BaseModel):
    channel: str
    channel_message_id: str
    received_at: datetime
    sender: Sender
    order_id: str
    subject: str
    body: str


class Opened(BaseModel):
    id: uuid.UUID
    state: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(libpq(os.environ["BENCH_BARE_DATABASE_URL"]), min_size=4, max_size=10)
    app.state.pool, app.state.envelope = pool, opened_envelope()
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/complaints/intake", status_code=201)
async def intake(body: Complaint) -> Opened:
    complaint_id = uuid.uuid4()
    key = str(complaint_id)
    sender, at = body.sender, body.received_at
    async with app.state.pool.acquire() as connection, connection.transaction():
        await connection.execute(RAW_COMPLAINT, complaint_id, body.channel_message_id, body.body, sender.handle,
                                 sender.customer_id, body.order_id, at)  # fmt: skip
        await connection.execute(RAW_MESSAGE, complaint_id, sender.handle, body.body, at)
        await connection.execute(RAW_AUDIT, key)
        await connection.execute(RAW_CLOCKS, key)
        await connection.execute(RAW_OUTBOX, key, app.state.envelope)
    return Opened(id=complaint_id, state="open")
