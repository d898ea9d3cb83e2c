"""The print queue: documents wait in the database until their printer takes them.

A sale never waits for paper: the till enqueues the receipt's bytes and moves on. The
worker prints each due job in order, one job at a time per printer; a printer that refuses,
stalls or reports paper out or cover open (asked before and after each job, where the
connection can answer) leaves the job queued, tried again after a short pause (1 s, 2 s,
then every 3 s), so a printer back on prints within a few seconds.

Nothing is lost and nothing prints twice unmarked. A job is leased (queued → printing) by
one worker of one process (claimed FOR UPDATE SKIP LOCKED on PostgreSQL, by a conditional
UPDATE on SQLite); just before its first byte goes to the printer, that is recorded
(send_started_at), committed. A job whose worker
stopped (at start-up: recover_interrupted; a lease run out: another process died) goes back
to the queue: as it was if its bytes never left, else as a copy. A job that failed after
its first byte went also goes again as a copy. A copy prints with 重打 / COPY at the top and
without its drawer kick: whatever came out before, no receipt is ever given twice unmarked.
A job is printed when the printer took every byte and, where it can answer, said after the
job that it is fine (printing/printers.py: send).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from piccolo.columns.combination import Where
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from printing.printers import PartlySent, PrinterConfig, PrintError, send
from printing.tables import PrintJob

log = logging.getLogger("aixin.printing")

BACKOFF_SECONDS = (1, 2, 3)  # then every 3 s: a printer back on prints within ~5 s (the worker wakes every second)
LEASE = timedelta(minutes=2)  # far longer than one send (printers.send is bounded by its timeouts)
INTERRUPTED = "interrupted while printing: printing again, marked 重打 / COPY"
DRAWER_KICK = b"\x1bp"  # ESC p: the cash drawer's pulse
# The line a copy starts with: ESC @, centred (ESC a 1), bold (ESC E 1); after it, bold off and left again.
_COPY_START, _COPY_END = b"\x1b@\x1ba\x01\x1bE\x01", b"\n\x1bE\x00\x1ba\x00"
_CHINESE_MODE = (b"\x1c&", b"\x1c.")  # FS & … FS .: two-byte Chinese on the printers that take gb18030 or gbk
REDACTED = "redacted"  # a job whose bytes were erased with the person they named
# The documents that name a person, as queued (their ref: the donation's number, the member's number).
DONATION_SLIP, MEMBER_CARD, PASSBOOK_STATEMENT = "donation slip", "member card", "passbook statement"
VOUCHER = "voucher"  # a service voucher of the love bank (its ref: the voucher's number); it names the provider


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
    as_copy: bool = False  # it may have printed before: it prints (again) marked 重打 / COPY


@dataclass(frozen=True)
class PrinterHealth:
    printer: str
    failing: bool  # the oldest waiting job has failed at least once
    error: str
    waiting: int


_JOB_COLUMNS = (PrintJob.id, PrintJob.printer, PrintJob.document, PrintJob.ref, PrintJob.status,
                PrintJob.attempts, PrintJob.last_error, PrintJob.created_at, PrintJob.printed_at, PrintJob.as_copy)


async def enqueue(*, shop_id: int, printer: str, document: str, ref: str, data: bytes, till: str = "",
                  now: datetime | None = None) -> int:
    """Add a job; inside the caller's transaction if there is one (a sale and its receipt commit together)."""
    now = now or _now()
    rows = await PrintJob.raw(_ENQUEUE, shop_id, printer, document, ref, till, data, now, now)
    return rows[0]["id"]


# A sale's receipt is queued in the sale's transaction: one statement, past Piccolo's query builder (building the
# insert from a PrintJob was 6% of a checkout's CPU). Every column is named, as a new PrintJob(...) has it.
_ENQUEUE = """
INSERT INTO print_job (shop_id, printer, document, ref, till, data, status, attempts, last_error, not_before,
                       created_at, printed_at, lease, lease_until, send_started_at, as_copy)
VALUES ({}, {}, {}, {}, {}, {}, 'queued', 0, '', {}, {}, NULL, '', NULL, NULL, FALSE)
RETURNING id
"""


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
    say it is a copy (重打) is made again by the caller (pos/paper.py: Paper.reprint_job).
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


def marked_copy(data: bytes, *, encoding: str) -> bytes:
    """A job's bytes printed again: first a line "** 重打 / COPY **", centred and bold, then the job without
    its drawer kick. 重打 in the printer's encoding where it has Chinese (gb18030, gbk in Chinese mode; utf-8);
    COPY alone on a Western code page. The job's own ESC @ then starts it from the printer's defaults."""
    match encoding.lower().replace("_", "-"):
        case "gb18030" | "gbk":
            words = _CHINESE_MODE[0] + "** 重打 / COPY **".encode(encoding) + _CHINESE_MODE[1]
        case "utf-8" | "utf8":
            words = "** 重打 / COPY **".encode()
        case _:
            words = b"** COPY **"
    return _COPY_START + words + _COPY_END + without_drawer_kick(data)


async def health(*, shop_id: int, printer: str) -> PrinterHealth:
    waiting = await PrintJob.select(PrintJob.attempts, PrintJob.last_error).where(
        (PrintJob.shop_id == shop_id) & (PrintJob.printer == printer) & PrintJob.status.is_in(["queued", "printing"])
    ).order_by(PrintJob.id)
    oldest = waiting[0] if waiting else None
    return PrinterHealth(printer=printer, failing=bool(oldest and oldest["attempts"] > 0),
                         error=oldest["last_error"] if oldest else "", waiting=len(waiting))


async def recover_interrupted() -> int:
    """At start-up, before the worker starts: the jobs this server left "printing" when it stopped go back to the
    queue, in their place: as they were if not a byte had left, else as copies (INTERRUPTED says why). With
    several servers on one database, one starting may make a copy of a job another is printing: a copy, never a
    second original. Returns how many went back."""
    return await _requeue(PrintJob.status == "printing")


async def _requeue(which: Where) -> int:
    """Jobs of `which` still "printing" back to the queue: as copies if their sending had started."""
    released = {PrintJob.status: "queued", PrintJob.lease: "", PrintJob.lease_until: None,
                PrintJob.send_started_at: None}
    async with _writing(PrintJob._meta.db):
        copies = await PrintJob.update({**released, PrintJob.as_copy: True, PrintJob.last_error: INTERRUPTED}).where(
            which & (PrintJob.status == "printing") & PrintJob.send_started_at.is_not_null()).returning(PrintJob.id)
        # send_started_at IS NULL again: on PostgreSQL a worker may record its start between the two statements,
        # and a job whose bytes may be leaving must never go back to the queue unmarked
        unsent = await PrintJob.update(released).where(
            which & (PrintJob.status == "printing") & PrintJob.send_started_at.is_null()).returning(PrintJob.id)
    return len(copies) + len(unsent)


def _send_when_ready(config: PrinterConfig, job_name: str, data: bytes, started: Callable[[], None]) -> None:
    send(config, job_name, data, check_status=config.ask_status, started=started)


@dataclass(frozen=True)
class _Lease:
    """A job leased to this worker: its token and what is needed to print it."""

    token: str
    id: int
    document: str
    ref: str
    data: bytes
    attempts: int
    as_copy: bool


# The worker's statements for each job, past Piccolo's query builder: a sale's receipt costs the worker four of them,
# and building them was a sixth of a checkout's CPU on PostgreSQL (bench/README.md).
# the jobs printing, read through the unfinished jobs' index (print_job_unfinished: SQLite takes a partial index only
# for a query that names its condition): by the status index alone, SQLite reads every job once it knows most are
# printed
_PRINTING = """
SELECT id, lease, lease_until FROM print_job WHERE status IN ('queued', 'printing') AND status = 'printing'
"""
# SQLite (one writer): the printer's oldest unfinished job, then leased if it is still queued
_OLDEST = """
SELECT id, status, not_before FROM print_job WHERE printer = {} AND status IN ('queued', 'printing') ORDER BY id LIMIT 1
"""
_LEASE = """
UPDATE print_job SET status = 'printing', lease = {}, lease_until = {}, send_started_at = NULL
WHERE id = {} AND status = 'queued' RETURNING id, document, ref, data, attempts, as_copy
"""
# PostgreSQL: the same in one statement, the oldest job claimed FOR UPDATE SKIP LOCKED: it is leased if it is queued,
# due and nobody else is claiming it; otherwise nothing is, and the jobs behind it wait
_LEASE_OLDEST = """
UPDATE print_job SET status = 'printing', lease = {}, lease_until = {}, send_started_at = NULL
WHERE id = (SELECT id FROM print_job
            WHERE id = (SELECT min(id) FROM print_job WHERE printer = {} AND status IN ('queued', 'printing'))
              AND status = 'queued' AND not_before <= {}
            FOR UPDATE SKIP LOCKED)
RETURNING id, document, ref, data, attempts, as_copy
"""
_SENDING = "UPDATE print_job SET send_started_at = {} WHERE id = {} AND lease = {} AND status = 'printing' RETURNING id"
_PRINTED = """
UPDATE print_job SET status = 'printed', last_error = '', printed_at = {}, attempts = attempts + 1, lease = '',
                     lease_until = NULL
WHERE id = {} AND lease = {} AND status = 'printing' RETURNING id
"""


class PrintWorker:
    """Prints due jobs, in order, on the printers it knows; run() until stop().

    `printers` are config.toml's, by name; `stored`, when given, is asked at every pass for
    the printers set up since (printing/printer_setup.py: stored_configs), so a printer added
    or changed while the shop is open prints at once, with its new connection. `sender`, when
    given, replaces printers.send: sender(config, job_name, data), raising PrintError when
    nothing reached the printer, PartlySent when some may have (the job's start is recorded
    before it is called).
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
        self.sender = sender
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def print_due(self) -> int:
        """One pass: take back jobs whose lease ran out, then print every due job of every known printer,
        oldest first, until one fails. Returns how many printed."""
        await self._requeue_expired()
        printed = 0
        printers = dict(self.printers)
        if self.stored is not None:
            printers |= await self.stored()
        for printer, config in printers.items():
            while (lease := await self._lease_next(printer)) is not None:
                try:
                    await self._send(config, lease)
                except PrintError as error:
                    await self._failed(lease, error)
                    break
                printed += await self._printed(lease)
        return printed

    async def _requeue_expired(self) -> None:
        """Jobs whose lease ran out (the process printing them died) back to the queue (see recover_interrupted)."""
        now = self.clock()
        for row in await PrintJob.raw(_PRINTING):
            if row["lease_until"] is None or row["lease_until"] < now:
                if await _requeue((PrintJob.id == row["id"]) & (PrintJob.lease == row["lease"])):
                    log.warning("print job %d: its lease ran out while printing; queued again", row["id"])

    async def _lease_next(self, printer: str) -> _Lease | None:
        """Lease (queued → printing) the oldest unfinished job of `printer`, if it is due and nobody has it.

        A job not yet due, or printing elsewhere, holds back the ones behind it, so receipts come out in
        order. One worker of one process gets the job, whichever process it is in: on PostgreSQL the oldest job
        is claimed with FOR UPDATE SKIP LOCKED and leased in the same statement (a worker finding another claiming it
        goes on to the next printer, never waits, never takes the job behind it); on SQLite, the one writer, by a conditional UPDATE.
        """
        now, token = self.clock(), uuid.uuid4().hex
        if isinstance(PrintJob._meta.db, SQLiteEngine):
            oldest = await PrintJob.raw(_OLDEST, printer)
            if not oldest or oldest[0]["status"] != "queued" or oldest[0]["not_before"] > now:
                return None
            rows = await PrintJob.raw(_LEASE, token, now + LEASE, oldest[0]["id"])
        else:
            rows = await PrintJob.raw(_LEASE_OLDEST, token, now + LEASE, printer, now)
        if not rows:
            return None  # not due, printing, or another worker leased it first
        row = rows[0]
        return _Lease(token=token, id=row["id"], document=row["document"], ref=row["ref"], data=bytes(row["data"]),
                      attempts=row["attempts"], as_copy=bool(row["as_copy"]))

    async def _send(self, config: PrinterConfig, lease: _Lease) -> None:
        """The leased job to its printer, its start recorded before its first byte leaves."""
        data = marked_copy(lease.data, encoding=config.encoding) if lease.as_copy else lease.data
        job_name = f"{lease.document}-{lease.ref}"
        if self.sender is not None:
            await self._start_sending(lease)
            await asyncio.to_thread(self.sender, config, job_name, data)
            return
        loop = asyncio.get_running_loop()

        def started() -> None:  # in the sending thread: committed before the first byte leaves
            asyncio.run_coroutine_threadsafe(self._start_sending(lease), loop).result()

        await asyncio.to_thread(_send_when_ready, config, job_name, data, started)

    async def _start_sending(self, lease: _Lease) -> None:
        if not await PrintJob.raw(_SENDING, self.clock(), lease.id, lease.token):
            raise PrintError("taken back from this worker before it printed")

    async def _printed(self, lease: _Lease) -> int:
        """Record the job printed (unless it was taken back or redacted meanwhile); 1 if it was."""
        return len(await PrintJob.raw(_PRINTED, self.clock(), lease.id, lease.token))

    async def _failed(self, lease: _Lease, error: PrintError) -> None:
        """The job back in the queue after a pause, with the reason; as a copy if some of it may have printed."""
        attempts = lease.attempts + 1
        values = {PrintJob.status: "queued", PrintJob.attempts: attempts, PrintJob.last_error: str(error)[:300],
                  PrintJob.not_before: self.clock() + backoff(attempts), PrintJob.lease: "",
                  PrintJob.lease_until: None, PrintJob.send_started_at: None}
        if isinstance(error, PartlySent):
            values[PrintJob.as_copy] = True
        await PrintJob.update(values).where(
            (PrintJob.id == lease.id) & (PrintJob.lease == lease.token) & (PrintJob.status == "printing"))
        if attempts == 1 or isinstance(error, PartlySent):
            log.warning("%s %s not printed (try %d): %s", lease.document, lease.ref, attempts, error)

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
