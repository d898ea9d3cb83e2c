"""The print queue: documents wait in the database until their printer takes them.

A sale never waits for paper: the till enqueues the receipt's bytes and moves on. The
worker prints each due job in order, one printer at a time; a printer that refuses, stalls
or reports paper out or cover open (asked before each job, where the connection can
answer) leaves the job queued, tried again after a growing pause (2 s … 60 s).
No job prints twice: a job is claimed (queued → printing) by one conditional UPDATE before
its bytes go out, and a job found "printing" at start-up — the process stopped while
sending — is marked failed for a person to reprint, never sent again by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from printing.printers import PrinterConfig, PrintError, send
from printing.tables import PrintJob

log = logging.getLogger("aixin.printing")

BACKOFF_SECONDS = (2, 4, 8, 15, 30, 60)
INTERRUPTED = "interrupted while printing: reprint it if it did not come out"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Job:
    id: int
    printer: str
    document: str
    ref: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    printed_at: datetime | None


@dataclass(frozen=True)
class PrinterHealth:
    printer: str
    failing: bool  # the oldest waiting job has failed at least once
    error: str
    waiting: int


_JOB_COLUMNS = (PrintJob.id, PrintJob.printer, PrintJob.document, PrintJob.ref, PrintJob.status,
                PrintJob.attempts, PrintJob.last_error, PrintJob.created_at, PrintJob.printed_at)


async def enqueue(*, shop_id: int, printer: str, document: str, ref: str, data: bytes,
                  now: datetime | None = None) -> int:
    """Add a job; inside the caller's transaction if there is one (a sale and its receipt commit together)."""
    now = now or _now()
    rows = await PrintJob.insert(PrintJob(
        shop_id=shop_id, printer=printer, document=document, ref=ref, data=data, status="queued",
        not_before=now, created_at=now,
    )).returning(PrintJob.id)
    return rows[0]["id"]


async def recent_jobs(*, shop_id: int, limit: int = 200, ref: str | None = None) -> list[Job]:
    where = PrintJob.shop_id == shop_id
    if ref is not None:
        where &= PrintJob.ref == ref
    rows = await PrintJob.select(*_JOB_COLUMNS).where(where).order_by(PrintJob.id, ascending=False).limit(limit)
    return [Job(**row) for row in rows]


async def find_job(*, shop_id: int, job_id: int) -> Job | None:
    row = await PrintJob.select(*_JOB_COLUMNS).where((PrintJob.id == job_id) & (PrintJob.shop_id == shop_id)).first()
    return Job(**row) if row else None


async def reprint(*, shop_id: int, job_id: int, now: datetime | None = None) -> int | None:
    """A new job with the same bytes; None when there is no such job in this shop."""
    row = await PrintJob.select(PrintJob.printer, PrintJob.document, PrintJob.ref, PrintJob.data).where(
        (PrintJob.id == job_id) & (PrintJob.shop_id == shop_id)).first()
    if row is None:
        return None
    return await enqueue(shop_id=shop_id, now=now, **row)


async def health(*, shop_id: int, printer: str) -> PrinterHealth:
    waiting = await PrintJob.select(PrintJob.attempts, PrintJob.last_error).where(
        (PrintJob.shop_id == shop_id) & (PrintJob.printer == printer) & PrintJob.status.is_in(["queued", "printing"])
    ).order_by(PrintJob.id)
    oldest = waiting[0] if waiting else None
    return PrinterHealth(printer=printer, failing=bool(oldest and oldest["attempts"] > 0),
                         error=oldest["last_error"] if oldest else "", waiting=len(waiting))


async def recover_interrupted() -> int:
    """At start-up: jobs left 'printing' by a stopped process are failed, for a person to reprint."""
    rows = await PrintJob.update({PrintJob.status: "failed", PrintJob.last_error: INTERRUPTED}).where(
        PrintJob.status == "printing").returning(PrintJob.id)
    return len(rows)


def _send_when_ready(config: PrinterConfig, job_name: str, data: bytes) -> object:
    return send(config, job_name, data, check_status=config.ask_status)


class PrintWorker:
    """Prints due jobs, in order, on the printers it knows; run() until stop()."""

    def __init__(self, printers: Mapping[str, PrinterConfig], *, clock: Callable[[], datetime] = _now,
                 sender: Callable[[PrinterConfig, str, bytes], object] | None = None) -> None:
        self.printers = dict(printers)
        self.clock = clock
        self.sender = sender or _send_when_ready
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def wake(self) -> None:
        self._wake.set()

    async def print_due(self) -> int:
        """One pass: print every due job of every known printer, oldest first. Returns how many printed."""
        printed = 0
        for printer, config in self.printers.items():
            while True:
                job = await PrintJob.select(PrintJob.id, PrintJob.document, PrintJob.ref, PrintJob.data).where(
                    (PrintJob.printer == printer) & (PrintJob.status == "queued")
                ).order_by(PrintJob.id).first()
                if job is None or not await self._due(job["id"]):
                    break  # oldest first: a waiting job holds back the ones behind it
                if not await self._claim(job["id"]):
                    continue  # another process took it
                if await self._send(job, config):
                    printed += 1
                else:
                    break
        return printed

    async def _due(self, job_id: int) -> bool:
        row = await PrintJob.select(PrintJob.not_before).where(PrintJob.id == job_id).first()
        return row is not None and row["not_before"] <= self.clock()

    async def _claim(self, job_id: int) -> bool:
        rows = await PrintJob.update({PrintJob.status: "printing", PrintJob.attempts: PrintJob.attempts + 1}).where(
            (PrintJob.id == job_id) & (PrintJob.status == "queued")).returning(PrintJob.attempts)
        return bool(rows)

    async def _send(self, job: dict, config: PrinterConfig) -> bool:
        try:
            await asyncio.to_thread(self.sender, config, f"{job['document']}-{job['ref']}", bytes(job["data"]))
        except PrintError as error:
            attempts = (await PrintJob.select(PrintJob.attempts).where(PrintJob.id == job["id"]).first())["attempts"]
            await PrintJob.update({PrintJob.status: "queued", PrintJob.last_error: str(error)[:300],
                                   PrintJob.not_before: self.clock() + backoff(attempts)}).where(
                PrintJob.id == job["id"])
            log.warning("%s %s not printed (try %d): %s", job["document"], job["ref"], attempts, error)
            return False
        await PrintJob.update({PrintJob.status: "printed", PrintJob.last_error: "",
                               PrintJob.printed_at: self.clock()}).where(PrintJob.id == job["id"])
        return True

    async def run(self) -> None:
        while True:
            try:
                await self.print_due()
            except Exception:  # the queue must outlive a bad moment (database busy, a bug in one job)
                log.exception("print queue pass failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except TimeoutError:
                pass

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="aixin-print-queue")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
