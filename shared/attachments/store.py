"""Where attachments' bytes live: one small interface, two real backends.

``LocalStore`` is the embedded default (a folder under the project's data folder);
``S3Store`` is any S3-compatible object storage (SeaweedFS in development and tests, MinIO or
a cloud's in production). Objects are written whole or not at all (a temporary name renamed
into place; S3's PutObject is atomic), so a crash mid-write never leaves half an object under a
key. Nothing is public on the storage side: the owning service reads objects and serves them
under the report's access rules.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, Protocol

from shared.attachments.settings import AttachmentSettings

CHUNK = 64 * 1024


class Missing(LookupError):
    """No object under this key."""


class ObjectStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises ``Missing`` before the first chunk."""
        ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:   # keys are ours, but never let one leave the folder
            raise ValueError(f"bad object key {key!r}")
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
        with open(part, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            f = await asyncio.to_thread(open, self._path(key), "rb")
        except FileNotFoundError as exc:
            raise Missing(key) from exc
        return self._chunks(f)

    @staticmethod
    async def _chunks(f: Any) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(f.read, CHUNK):
                yield chunk
        finally:
            f.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def close(self) -> None:
        return None


class S3Store:
    """aiobotocore's S3 client, path-style addressing (what S3-compatible servers expect), and
    checksums only where S3 requires them (compatible servers vary in the newer trailers)."""

    def __init__(self, settings: AttachmentSettings) -> None:
        self.settings = settings
        self.bucket = settings.s3_bucket
        self._stack = AsyncExitStack()
        self._client: Any = None

    async def start(self) -> "S3Store":
        from aiobotocore.session import get_session
        from botocore.config import Config

        s = self.settings
        config = Config(s3={"addressing_style": "path"}, signature_version="s3v4", connect_timeout=5, read_timeout=30,
                        retries={"max_attempts": 3, "mode": "standard"},
                        request_checksum_calculation="when_required", response_checksum_validation="when_required")
        self._client = await self._stack.enter_async_context(get_session().create_client(
            "s3", endpoint_url=s.s3_endpoint_url, region_name=s.s3_region, config=config,
            aws_access_key_id=s.s3_access_key.get_secret_value(),
            aws_secret_access_key=s.s3_secret_key.get_secret_value()))
        try:
            await self._client.head_bucket(Bucket=self.bucket)
        except self._client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            try:
                await self._client.create_bucket(Bucket=self.bucket)
            except self._client.exceptions.BucketAlreadyOwnedByYou:
                pass    # another service or replica starting at the same moment made it first
        return self

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self._client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            response = await self._client.get_object(Bucket=self.bucket, Key=key)
        except self._client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise Missing(key) from exc
            raise
        return self._chunks(response["Body"])

    @staticmethod
    async def _chunks(body: Any) -> AsyncIterator[bytes]:
        async with body as stream:
            async for chunk in stream.iter_chunks(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        await self._client.delete_object(Bucket=self.bucket, Key=key)

    async def close(self) -> None:
        await self._stack.aclose()


async def open_store(settings: AttachmentSettings) -> ObjectStore:
    if settings.attachments_backend == "s3":
        return await S3Store(settings).start()
    return LocalStore(settings.attachments_dir)
