"""Group commit: concurrent single-document inserts leave as one ``insert_many``.

Each caller still gets its own outcome (done, ``DuplicateKeyError`` or the failure) only once
its document is stored, so "acknowledged only when durable" holds per document. Nothing waits
for a timer: a batch is whatever queued while the previous one was being written, so at low
load a document goes alone at once, and under load many share one round trip (and, on
FerretDB's SQLite backend, one transaction instead of one each).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

DUPLICATE_KEY = 11000


class GroupInserter:
    def __init__(self, collection: AsyncCollection, max_batch: int = 64, writers: int = 2) -> None:
        self.collection = collection
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[None]]] = asyncio.Queue()
        self._writers = writers
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._write_loop(), name=f"group-insert-{self.collection.name}")
                           for _ in range(self._writers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        while not self._queue.empty():        # nobody will write these: their callers must know
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(RuntimeError("inserter stopped"))

    async def insert(self, doc: dict[str, Any]) -> None:
        """Returns once ``doc`` is stored; raises ``DuplicateKeyError`` if its ``_id`` exists."""
        if not self._tasks:
            await self.collection.insert_one(doc)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((doc, future))
        await future

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        failed: dict[int, Exception] = {}
        try:
            await self.collection.insert_many([doc for doc, _ in batch], ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                cls = DuplicateKeyError if error.get("code") == DUPLICATE_KEY else OperationFailure
                failed[error["index"]] = cls(error.get("errmsg", "write error"), error.get("code"), error)
        except BaseException as exc:  # the database is away, or we are stopping: every caller learns it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("inserter stopped"))
            if not isinstance(exc, Exception):
                raise
            return
        for i, (_, future) in enumerate(batch):
            if not future.done():         # a caller that gave up (cancelled) needs no answer
                if i in failed:
                    future.set_exception(failed[i])
                else:
                    future.set_result(None)
