"""Adaptive batching of model calls inside one server worker.

Concurrent requests each submit their contacts; one model call runs at a time (torch already uses every core), and
when it ends, everything that queued meanwhile goes into the next call, up to `max_batch_size` contacts. A request
arriving at an idle model runs at once (no batching window to wait out), and under load the batch grows with the
queue: the batch size adapts to the traffic without a latency knob to tune.

Why not BentoML's `batchable=True`: its dispatcher batches only requests that arrive over HTTP at the batchable
endpoint itself; a call from another API of the same service runs unbatched, and calling through the service's own
HTTP proxy re-serialises every contact. Scores are Python objects here and never leave the process.

With a `cost` per item (characters of text) a call also stops growing at `max_batch_cost`, and the batcher keeps
the cost still queued or running and the seconds per unit of cost it measured, so that the service can tell in
advance how long a new request would wait (`wait_estimate_s`) and refuse it rather than let it time out.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class AdaptiveBatcher(Generic[T, R]):
    """Coalesces concurrent `submit` calls into calls of `score(items) -> results` (same order, same length)."""

    def __init__(self, score: Callable[[list[T]], list[R]], *, executor: Executor, max_batch_size: int = 64,
                 on_batch: Callable[[int], None] | None = None, cost: Callable[[T], float] | None = None,
                 max_batch_cost: float | None = None) -> None:
        self._score = score
        self._executor = executor
        self.max_batch_size = max_batch_size
        self.max_batch_cost = max_batch_cost
        self._on_batch = on_batch
        self._cost = cost or (lambda _: 1.0)
        self._queue: deque[tuple[Sequence[T], asyncio.Future[list[R]], float]] = deque()
        self._running = False
        #: cost queued or in the model call now, and the measured seconds per unit of cost (None: nothing run yet)
        self.pending_cost = 0.0
        self.seconds_per_cost: float | None = None

    def cost_of(self, items: Sequence[T]) -> float:
        return float(sum(self._cost(item) for item in items))

    def wait_estimate_s(self, extra_cost: float = 0.0) -> float:
        """Seconds until what is queued now, plus `extra_cost`, would be scored (0 before the first call)."""
        return (self.pending_cost + extra_cost) * (self.seconds_per_cost or 0.0)

    async def submit(self, items: Sequence[T]) -> list[R]:
        """Score `items` in the next model call; raises what the model call raised."""
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[R]] = loop.create_future()
        cost = self.cost_of(items)
        self.pending_cost += cost
        self._queue.append((items, future, cost))
        if not self._running:
            self._running = True
            loop.create_task(self._drain())
        return await future

    def _next_batch(self) -> list[tuple[Sequence[T], asyncio.Future[list[R]], float]]:
        """Whole requests in arrival order, up to `max_batch_size` contacts and `max_batch_cost` (a bigger request
        goes alone); requests cancelled while they queued (their time budget ran out) are dropped."""
        batch = [self._queue.popleft()]
        size, cost = len(batch[0][0]), batch[0][2]
        while self._queue and size + len(self._queue[0][0]) <= self.max_batch_size and (
                self.max_batch_cost is None or cost + self._queue[0][2] <= self.max_batch_cost):
            job = self._queue.popleft()
            size += len(job[0])
            cost += job[2]
            batch.append(job)
        dropped = [job for job in batch if job[1].cancelled()]
        self.pending_cost -= sum(job[2] for job in dropped)
        return [job for job in batch if not job[1].cancelled()]

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch = self._next_batch()
                if not batch:
                    continue
                flat = [item for items, _, _ in batch for item in items]
                batch_cost = sum(cost for _, _, cost in batch)
                if self._on_batch is not None:
                    self._on_batch(len(flat))
                started = time.perf_counter()
                try:
                    results = await loop.run_in_executor(self._executor, self._score, flat)
                    if len(results) != len(flat):
                        raise RuntimeError(f"model returned {len(results)} results for {len(flat)} contacts")
                except Exception as error:  # every request of the batch gets the model's failure
                    for _, future, _ in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                finally:
                    self.pending_cost = max(0.0, self.pending_cost - batch_cost)
                self._measured(time.perf_counter() - started, batch_cost)
                start = 0
                for items, future, _ in batch:
                    if not future.done():
                        future.set_result(results[start : start + len(items)])
                    start += len(items)
        finally:
            self._running = False

    def _measured(self, seconds: float, cost: float) -> None:
        if cost <= 0:
            return
        rate = seconds / cost
        self.seconds_per_cost = rate if self.seconds_per_cost is None else 0.7 * self.seconds_per_cost + 0.3 * rate
