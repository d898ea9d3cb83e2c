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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from printing.printers import PrinterConfig, PrintError, send
from printing.tables import PrintJob

log = logging.getLogger("aixin.printing")

BACKOFF_SECONDS = (2, 4, 8, 15, 30, 60)
CLAIM = 10  # jobs claimed at once: few, so a crash leaves few to check by hand
INTERRUPTED = "interrupted while printing: reprint it if it did not come out"
DRAWER_KICK = b"\x1bp"  # ESC p: the cash drawer's pulse
REDACTED = "redacted"  # a job whose bytes were erased with the person they named
# The documents that name a person, as queued (their ref: the donation's number, the member's number).
DONATION_SLIP, MEMBER_CARD, PASSBOOK_STATEMENT = "donation slip", "member card", "passbook statement"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def _now() -> datetime:
    return datetime.now(UTC)


def _writing(db):
    """A writing transaction: IMMEDIATE on SQLite (see shop.database.writing, which printing may not import)."""
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


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


async def enqueue(*, shop_id: int, printer: str, document: str, ref: str, data: bytes, till: str = "",
                  now: datetime | None = None) -> int:
    """Add a job; inside the caller's transaction if there is one (a sale and its receipt commit together)."""
    now = now or _now()
    rows = await PrintJob.insert(PrintJob(
        shop_id=shop_id, printer=printer, document=document, ref=ref, till=till, data=data, status="queued",
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
    """A new job with the same bytes, less the drawer kick; None when there is no such job in this shop.

    A reprint never opens the cash drawer: no cash moves. Documents kick the drawer last, after
    the cut (printing/documents.py, refund_slip.py, till_report.py), so the kick is the job's last
    five bytes, ESC p m t1 t2, and is left off. The queue holds bytes only: a document that must
    say it is a copy (重打) is made again by the caller (web/documents.py: reprint_job).
    """
    row = await PrintJob.select(
        PrintJob.printer, PrintJob.document, PrintJob.ref, PrintJob.till, PrintJob.data).where(
        (PrintJob.id == job_id) & (PrintJob.shop_id == shop_id) & (PrintJob.status != REDACTED)).first()
    if row is None:
        return None
    return await enqueue(shop_id=shop_id, now=now, **{**row, "data": without_drawer_kick(bytes(row["data"]))})


async def redact(*, shop_id: int, document: str, refs: Sequence[str]) -> int:
    """A person's data erased (PRODUCT.md, people's data): the jobs printing these documents of theirs lose their
    bytes and become "redacted", a line in the queue that never prints and cannot be printed again. Inside the
    caller's transaction, with the erasure itself. Returns how many jobs were redacted."""
    if not refs:
        return 0
    rows = await PrintJob.update({PrintJob.data: b"", PrintJob.status: REDACTED, PrintJob.last_error: ""}).where(
        (PrintJob.shop_id == shop_id) & (PrintJob.document == document) & PrintJob.ref.is_in(list(refs))
    ).returning(PrintJob.id)
    return len(rows)


async def prune(*, before: datetime) -> int:
    """Forget finished jobs (printed, failed or redacted) made before `before`: the queue keeps the bytes of what
    it printed only as long as a reprint may be asked for. Returns how many went."""
    rows = await PrintJob.delete().where(
        PrintJob.status.is_in(["printed", "failed", REDACTED]) & (PrintJob.created_at < before)).returning(PrintJob.id)
    return len(rows)


def without_drawer_kick(data: bytes) -> bytes:
    """The bytes without the drawer kick (ESC p m t1 t2, m: pin 2 or 5) a document ends with, if it has one."""
    if len(data) >= 5 and data[-5:-3] == DRAWER_KICK and data[-3] in (0, 1, 48, 49):
        return data[:-5]
    return data


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
    """Prints due jobs, in order, on the printers it knows; run() until stop().

    `printers` are config.toml's, by name; `stored`, when given, is asked at every pass for
    the printers set up since (printing/printer_setup.py: stored_configs), so a printer added
    or changed while the shop is open prints at once, with its new connection.
    """

    def __init__(self, printers: Mapping[str, PrinterConfig], *, clock: Callable[[], datetime] = _now,
                 sender: Callable[[PrinterConfig, str, bytes], object] | None = None,
                 stored: Callable[[], Awaitable[Mapping[str, PrinterConfig]]] | None = None,
                 keep: timedelta | None = None) -> None:
        self.printers = dict(printers)
        self.keep = keep  # finished jobs older than this are pruned (checked once an hour); None: kept
        self._pruned_at: datetime | None = None
        self.stored = stored
        self.clock = clock
        self.sender = sender or _send_when_ready
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def print_due(self) -> int:
        """One pass: print every due job of every known printer, oldest first. Returns how many printed."""
        printed = 0
        printers = dict(self.printers)
        if self.stored is not None:
            printers |= await self.stored()
        for printer, config in printers.items():
            while batch := await self._claim_due(printer):
                done: list[int] = []
                failure: tuple[dict, PrintError] | None = None
                for job in batch:
                    try:
                        await asyncio.to_thread(self.sender, config, f"{job['document']}-{job['ref']}",
                                                bytes(job["data"]))
                    except PrintError as error:
                        failure = (job, error)
                        break
                    done.append(job["id"])
                untried = [job["id"] for job in batch[len(done) + (failure is not None):]]
                await self._settle(done, failure, untried)
                printed += len(done)
                if failure is not None:
                    break
        return printed

    async def _claim_due(self, printer: str) -> list[dict]:
        """Claim (queued → printing) the next few due jobs of `printer`, oldest first.

        A job not yet due holds back the ones behind it, so receipts come out in order. One
        UPDATE claims the batch: under load the queue's writes are shared by several jobs.
        """
        rows = await PrintJob.select(PrintJob.id, PrintJob.document, PrintJob.ref, PrintJob.data,
                                     PrintJob.not_before, PrintJob.attempts).where(
            (PrintJob.printer == printer) & (PrintJob.status == "queued")).order_by(PrintJob.id).limit(CLAIM)
        now = self.clock()
        due = []
        for row in rows:
            if row["not_before"] > now:
                break
            due.append(row)
        if not due:
            return []
        claimed = await PrintJob.update({PrintJob.status: "printing"}).where(
            PrintJob.id.is_in([row["id"] for row in due]) & (PrintJob.status == "queued")).returning(PrintJob.id)
        mine = {row["id"] for row in claimed}  # another process may have claimed some first
        return [row for row in due if row["id"] in mine]

    async def _settle(self, done: list[int], failure: tuple[dict, PrintError] | None, untried: list[int]) -> None:
        """Record a batch's outcome in one transaction: printed, failed with a back-off, or back in the queue."""
        db = PrintJob._meta.db
        async with _writing(db):
            if done:
                await PrintJob.update({PrintJob.status: "printed", PrintJob.last_error: "",
                                       PrintJob.printed_at: self.clock(),
                                       PrintJob.attempts: PrintJob.attempts + 1}).where(
                    PrintJob.id.is_in(done) & (PrintJob.status == "printing"))  # not one redacted meanwhile
            if failure is not None:
                job, error = failure
                attempts = job["attempts"] + 1
                await PrintJob.update({PrintJob.status: "queued", PrintJob.attempts: attempts,
                                       PrintJob.last_error: str(error)[:300],
                                       PrintJob.not_before: self.clock() + backoff(attempts)}).where(
                    (PrintJob.id == job["id"]) & (PrintJob.status == "printing"))
                log.warning("%s %s not printed (try %d): %s", job["document"], job["ref"], attempts, error)
            if untried:
                await PrintJob.update({PrintJob.status: "queued"}).where(
                    PrintJob.id.is_in(untried) & (PrintJob.status == "printing"))

    async def prune_if_due(self) -> int:
        """Once an hour, forget finished jobs older than `keep` (see prune)."""
        now = self.clock()
        if self.keep is None or (self._pruned_at is not None and now - self._pruned_at < timedelta(hours=1)):
            return 0
        self._pruned_at = now
        return await prune(before=now - self.keep)

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.print_due()
                await self.prune_if_due()
            except Exception:  # the queue must outlive a bad moment (database busy, a bug in one job)
                log.exception("print queue pass failed")
            self._wake.clear()
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except TimeoutError:
                pass

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="aixin-print-queue")

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the pass under way finish (a job is never cut off between sending and recording it),
        then stop; cancel only if it does not finish in time."""
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
