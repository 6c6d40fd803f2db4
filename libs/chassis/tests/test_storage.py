"""The attachment port: type from the bytes, size limit, content-addressed keys, adapters by URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales_chassis.errors import NotFound, RuleViolation
from aftersales_chassis.storage import AttachmentPolicy, AttachmentStore, check_attachment, sniff_content_type

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def test_the_type_comes_from_the_bytes() -> None:
    assert sniff_content_type(PNG) == "image/png"
    assert sniff_content_type(JPEG) == "image/jpeg"
    assert sniff_content_type(PDF) == "application/pdf"
    assert sniff_content_type(b"just some words") is None


def test_an_executable_named_like_a_photo_is_refused_naming_the_rule_and_field() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_attachment(ELF, AttachmentPolicy(), field_name="files[1]")
    assert refused.value.extensions["rule"] == "attachment.type"
    assert refused.value.extensions["field"] == "files[1]"


def test_the_size_limit_admits_its_bound_and_refuses_one_byte_more() -> None:
    policy = AttachmentPolicy(max_bytes=len(PNG))
    assert check_attachment(PNG, policy, field_name="file") == "image/png"
    with pytest.raises(RuleViolation) as refused:
        check_attachment(PNG + b"\x00", policy, field_name="file")
    assert refused.value.extensions["rule"] == "attachment.size"


def test_an_empty_upload_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_attachment(b"", AttachmentPolicy(), field_name="file")
    assert refused.value.extensions["rule"] == "attachment.not-empty"


def test_a_policy_narrows_the_admitted_types() -> None:
    photos_only = AttachmentPolicy(allowed_types=frozenset({"image/png", "image/jpeg"}), rule_prefix="evidence")
    with pytest.raises(RuleViolation) as refused:
        check_attachment(PDF, photos_only, field_name="file")
    assert refused.value.extensions["rule"] == "evidence.type"


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_the_filesystem_adapter_stores_once_per_content_under_the_service(tmp_path: Path) -> None:
    store = AttachmentStore(f"file:{tmp_path}", "tickets")
    first = await store.put(PNG, filename="damage.png")
    again = await store.put(PNG, filename="same-photo-renamed.png")
    assert first.key == again.key
    assert first.key.startswith("sha256/")
    assert (first.content_type, first.size, first.filename) == ("image/png", len(PNG), "damage.png")
    assert await store.read(first.key) == PNG
    assert len(_files(tmp_path / "tickets")) == 1


async def test_a_refused_upload_writes_nothing(tmp_path: Path) -> None:
    store = AttachmentStore(f"file://{tmp_path}", "reviews")
    with pytest.raises(RuleViolation):
        await store.put(ELF)
    assert not _files(tmp_path)


async def test_reading_an_unknown_key_is_not_found(tmp_path: Path) -> None:
    store = AttachmentStore(f"file:{tmp_path}", "tickets")
    with pytest.raises(NotFound):
        await store.read("sha256/00/" + "0" * 64)


async def test_the_memory_adapter_round_trips() -> None:
    store = AttachmentStore("memory:///", "tickets")
    stored = await store.put(JPEG)
    assert await store.read(stored.key) == JPEG


def test_an_s3_url_selects_the_s3_adapter_without_code() -> None:
    # Built only (no server here): production sets RETURNS_STORAGE_URL=s3://bucket/prefix and AWS_*.
    store = AttachmentStore("s3://evidence-bucket/tickets", "tickets")
    assert type(store._store).__name__ == "S3Store"
