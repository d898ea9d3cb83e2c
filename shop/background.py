"""Work a server process does on its own while it runs: a pass every few seconds, woken early at stop.

The sealer (shop/seal.py) and the reports' folder (pos/summaries.py) are each a Periodic: start() at start-up, after
the database is open and bound; await stop() at shutdown, before it closes. (The print worker, printing/queue.py,
has a loop of its own: printing imports nothing of the shop's.)
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("aixin")


class Periodic:
    """`one_pass()` every `every` seconds while the server runs. A failing pass is logged and the next one comes as
    due: the work must outlive a bad moment (the database busy or gone a while). At stop the pass under way ends
    whole (its transaction commits or rolls back), and with `pass_at_stop` one more pass runs first."""

    name = "aixin-periodic"  # the task's name
    failed = "a periodic pass failed"  # logged with the exception
    pass_at_stop = False

    def __init__(self, *, every: float) -> None:
        self.every = every
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    async def one_pass(self) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        while True:
            try:
                await self.one_pass()
            except Exception:
                log.exception(self.failed)
            self._wake.clear()
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.every)
            except TimeoutError:
                pass
            if self._stopping and not self.pass_at_stop:
                break

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self, timeout: float = 10.0) -> None:
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None
