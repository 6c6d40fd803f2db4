"""Evidence and attachments behind one port: photos and documents of after-sale cases, e-mail
attachments of complaints, the evidence of malicious-review reports.

One ``AttachmentStore`` per service, built from ``<NAME>_STORAGE_URL``:

- ``file:`` + a path (the default, ``file:.data/attachments``, relative to the working
  directory): a directory on the service's disk, one sub-directory per service;
- ``s3://bucket/prefix`` (production): any S3-compatible server, credentials and endpoint
  from the standard ``AWS_*`` variables (``AWS_ENDPOINT`` for MinIO or Ceph);
- ``memory:///``: kept in the process, for a throw-away run.

Every adapter is an ``obstore`` store (ADR 0020): one async API over the local disk and the
object stores, so the adapter is a setting, not code. Objects are stored under the SHA-256 of
their bytes: a retried upload writes the same object once, and a key says nothing about the
customer it belongs to. Who may read an object is the owning feature's rule (staff and the
customer the case belongs to); this module only stores bytes.

The type is taken from the content (magic numbers, via ``filetype``), never from the file name
or the client's ``Content-Type``: a ``.jpg`` that is an executable is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import filetype  # type: ignore[import-untyped]
import obstore
from fastapi import APIRouter, Depends, FastAPI, Request
from obstore.store import LocalStore, from_url

from .errors import NotFound, RuleViolation

EVIDENCE_TYPES: frozenset[str] = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "application/pdf", "video/mp4"}
)
"""What customers and staff send as evidence: photos, scans as PDF, short videos."""

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentPolicy:
    """What one kind of upload admits: content types (as sniffed) and a size limit."""

    allowed_types: frozenset[str] = EVIDENCE_TYPES
    max_bytes: int = MAX_EVIDENCE_BYTES
    rule_prefix: str = "attachment"


@dataclass(frozen=True)
class StoredAttachment:
    """What the owning feature keeps in its own table about a stored object."""

    key: str
    content_type: str
    size: int
    sha256: str
    filename: str | None = None


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type the bytes say they are (magic numbers), or None when unrecognised."""
    kind = filetype.guess(data[:8192])
    return None if kind is None else str(kind.mime)


def check_attachment(data: bytes, policy: AttachmentPolicy, *, field_name: str) -> str:
    """The content type of ``data`` if the policy admits it; a 422 naming the rule and field otherwise."""
    if not data:
        raise RuleViolation(f"{policy.rule_prefix}.not-empty", "the attachment is empty", field=field_name)
    if len(data) > policy.max_bytes:
        raise RuleViolation(
            f"{policy.rule_prefix}.size",
            f"the attachment is {len(data)} bytes; at most {policy.max_bytes} are accepted",
            field=field_name,
            max_bytes=policy.max_bytes,
        )
    content_type = sniff_content_type(data)
    if content_type is None or content_type not in policy.allowed_types:
        raise RuleViolation(
            f"{policy.rule_prefix}.type",
            f"the attachment's content is {content_type or 'of no recognised type'}; "
            f"accepted: {', '.join(sorted(policy.allowed_types))}",
            field=field_name,
            allowed_types=sorted(policy.allowed_types),
        )
    return content_type


def _store_for(url: str, service: str) -> obstore.store.ObjectStore:
    if url.startswith("file:"):
        # ``file:relative/path`` as well as ``file:///absolute/path``: a developer's default
        # lives in the repository's .data/, next to the embedded database.
        path = Path(url.removeprefix("file:").removeprefix("//")).expanduser().resolve() / service
        return LocalStore(path, mkdir=True)
    return from_url(url)


@dataclass
class AttachmentStore:
    """The port: ``put`` checks and stores bytes, ``read`` returns them by key."""

    url: str
    service: str
    _store: obstore.store.ObjectStore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._store = _store_for(self.url, self.service)

    async def put(
        self,
        data: bytes,
        *,
        policy: AttachmentPolicy = AttachmentPolicy(),  # frozen: shared safely
        filename: str | None = None,
        field_name: str = "body.file",
    ) -> StoredAttachment:
        content_type = check_attachment(data, policy, field_name=field_name)
        digest = hashlib.sha256(data).hexdigest()
        key = f"sha256/{digest[:2]}/{digest}"
        await obstore.put_async(self._store, key, data)
        return StoredAttachment(key=key, content_type=content_type, size=len(data), sha256=digest, filename=filename)

    async def read(self, key: str) -> bytes:
        try:
            result = await obstore.get_async(self._store, key)
        except FileNotFoundError as missing:
            raise NotFound(f"attachment {key} is not in the store", resource="attachment") from missing
        return bytes(await result.bytes_async())


@dataclass(frozen=True)
class AttachmentsExtension:
    """Plugs the store into a service: ``extensions=[AttachmentsExtension("tickets")]``; a route
    or use case then takes ``AttachmentsDep``. Built at start-up from ``storage_url``, so a bad
    URL stops the service before it serves."""

    service: str

    def routers(self) -> Sequence[APIRouter]:
        return ()

    async def start(self, app: FastAPI) -> None:
        app.state.attachments = AttachmentStore(app.state.settings.storage_url, self.service)

    async def stop(self, app: FastAPI) -> None:
        return None


async def get_attachments(request: Request) -> AttachmentStore:
    store: AttachmentStore = request.app.state.attachments
    return store


AttachmentsDep = Annotated[AttachmentStore, Depends(get_attachments)]
