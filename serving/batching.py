"""Adaptive batching of model calls inside one server worker.

Concurrent requests each submit their contacts; one model call runs at a time (torch already uses every core), and
when it ends, everything that queued meanwhile goes into the next call, up to `max_batch_size` contacts. A request
arriving at an idle model runs at once (no batching window to wait out), and under load the batch grows with the
queue: the batch size adapts to the traffic without a latency knob to tune.

Why not BentoML's `batchable=True`: its dispatcher batches only requests that arrive over HTTP at the batchable
endpoint itself; a call from another API of the same service runs unbatched, and calling through the service's own
HTTP proxy re-serialises every contact. Scores are Python objects here and never leave the process.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class AdaptiveBatcher(Generic[T, R]):
    """Coalesces concurrent `submit` calls into calls of `score(items) -> results` (same order, same length)."""

    def __init__(self, score: Callable[[list[T]], list[R]], *, executor: Executor, max_batch_size: int = 64,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self._score = score
        self._executor = executor
        self.max_batch_size = max_batch_size
        self._on_batch = on_batch
        self._queue: deque[tuple[Sequence[T], asyncio.Future[list[R]]]] = deque()
        self._running = False

    async def submit(self, items: Sequence[T]) -> list[R]:
        """Score `items` in the next model call; raises what the model call raised."""
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[R]] = loop.create_future()
        self._queue.append((items, future))
        if not self._running:
            self._running = True
            loop.create_task(self._drain())
        return await future

    def _next_batch(self) -> list[tuple[Sequence[T], asyncio.Future[list[R]]]]:
        """Whole requests in arrival order, up to `max_batch_size` contacts (a bigger request goes alone)."""
        batch = [self._queue.popleft()]
        size = len(batch[0][0])
        while self._queue and size + len(self._queue[0][0]) <= self.max_batch_size:
            job = self._queue.popleft()
            size += len(job[0])
            batch.append(job)
        return [job for job in batch if not job[1].cancelled()]

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch = self._next_batch()
                if not batch:
                    continue
                flat = [item for items, _ in batch for item in items]
                if self._on_batch is not None:
                    self._on_batch(len(flat))
                try:
                    results = await loop.run_in_executor(self._executor, self._score, flat)
                    if len(results) != len(flat):
                        raise RuntimeError(f"model returned {len(results)} results for {len(flat)} contacts")
                except Exception as error:  # every request of the batch gets the model's failure
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                start = 0
                for items, future in batch:
                    if not future.done():
                        future.set_result(results[start : start + len(items)])
                    start += len(items)
        finally:
            self._running = False
