"""The print queue as people look through it: a page of jobs at a time (by status, till, printer and day), a till's
documents that did not print, and the job of a document still waiting its turn.

Reads only: printing/queue.py is the one writer of print jobs. A job that went wrong is "failed", or waiting again
after a try that did not print (attempts > 0, or an error recorded: the printer refused, had no paper, was unplugged,
the server stopped while sending it); the worker tries that one again by itself, but a person should know it has
not come out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from printing.queue import REDACTED, without_drawer_kick
from printing.tables import PrintJob

PAGE_SIZE = 50
MOST_UNPRINTED = 100  # a till lists at most this many: the oldest show once the newest have printed
WAITING = ("queued", "printing")


class Shown(StrEnum):
    """Which jobs a page shows."""

    ALL = "all"
    FAILED = "failed"  # went wrong and not printed: failed, or waiting again after an error
    WAITING = "waiting"  # queued or printing: still to come out
    PRINTED = "printed"


@dataclass(frozen=True)
class JobInfo:
    id: int
    printer: str
    document: str
    ref: str
    till: str  # the till's code, for a document made at a till ("" otherwise)
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    printed_at: datetime | None


@dataclass(frozen=True)
class JobPage:
    jobs: list[JobInfo]  # newest first
    older: int | None  # the next page's before_id; None when these are the oldest


_COLUMNS = (PrintJob.id, PrintJob.printer, PrintJob.document, PrintJob.ref, PrintJob.till, PrintJob.status,
            PrintJob.attempts, PrintJob.last_error, PrintJob.created_at, PrintJob.printed_at)


def _not_printed():
    """Jobs a try of which went wrong and that have not printed: failed, or waiting again after an error."""
    tried = (PrintJob.attempts > 0) | (PrintJob.last_error != "")
    return (PrintJob.status == "failed") | (PrintJob.status.is_in(list(WAITING)) & tried)


async def jobs_page(*, shop_id: int, shown: Shown = Shown.ALL, till: str | None = None, printer: str | None = None,
                    start: datetime | None = None, end: datetime | None = None, before_id: int | None = None,
                    size: int = PAGE_SIZE) -> JobPage:
    """A page of the shop's jobs, newest first: those made in [start, end) (a day in the shop's zone, as UTC bounds),
    at `till`, for `printer`, and older than job `before_id` (keyset paging: a page never shifts as jobs come in)."""
    where = PrintJob.shop_id == shop_id
    if shown is Shown.FAILED:
        where &= _not_printed()
    elif shown is Shown.WAITING:
        where &= PrintJob.status.is_in(list(WAITING))
    elif shown is Shown.PRINTED:
        where &= PrintJob.status == "printed"
    if till is not None:
        where &= PrintJob.till == till
    if printer is not None:
        where &= PrintJob.printer == printer
    if start is not None:
        where &= PrintJob.created_at >= start
    if end is not None:
        where &= PrintJob.created_at < end
    if before_id is not None:
        where &= PrintJob.id < before_id
    rows = await PrintJob.select(*_COLUMNS).where(where).order_by(PrintJob.id, ascending=False).limit(size + 1)
    jobs = [JobInfo(**row) for row in rows[:size]]
    return JobPage(jobs=jobs, older=jobs[-1].id if len(rows) > size else None)


async def unprinted(*, shop_id: int, till: str, documents: Sequence[str]) -> list[JobInfo]:
    """The documents of these kinds made at `till` that failed to print and have not printed since, newest first,
    each as its latest job: the one that failed, or the copy asked for since (listed until it has printed).

    A document is listed once a try of it went wrong (its job failed, or was tried and queued again), not while it
    is simply waiting its first turn: a receipt a moment old is not a problem, and the printer's banner says when
    the till's printer is off. It leaves the list when its latest job has printed.
    """
    mine = (PrintJob.shop_id == shop_id) & (PrintJob.till == till) & PrintJob.document.is_in(list(documents))
    went_wrong = await PrintJob.select(PrintJob.id, PrintJob.document, PrintJob.ref).where(
        mine & _not_printed()).order_by(PrintJob.id, ascending=False).limit(MOST_UNPRINTED)
    if not went_wrong:
        return []
    since = await PrintJob.select(*_COLUMNS).where(
        mine & PrintJob.ref.is_in(list({row["ref"] for row in went_wrong})) & (PrintJob.id >= went_wrong[-1]["id"])
    ).order_by(PrintJob.id, ascending=False)
    latest: dict[tuple[str, str], JobInfo] = {}
    for row in since:
        latest.setdefault((row["document"], row["ref"]), JobInfo(**row))
    listed = {(row["document"], row["ref"]): latest[(row["document"], row["ref"])] for row in went_wrong}
    return [job for job in listed.values() if job.status not in ("printed", REDACTED)]


async def waiting_job(*, shop_id: int, document: str, ref: str, printer: str | None = None,
                      copy_of: int | None = None) -> JobInfo | None:
    """The newest job of this document still queued or printing (on `printer`, when given), or None.

    A document made again from the shop's data (a receipt: a sale number) is one document whatever its bytes. Where
    one ref covers several documents (a donation's label batches, a session's X reports), `copy_of` names a job and
    only a job with its bytes, or its bytes less the drawer kick (a reprint), is the same document.
    """
    where = (PrintJob.shop_id == shop_id) & (PrintJob.document == document) & (PrintJob.ref == ref) & (
        PrintJob.status.is_in(list(WAITING)))
    if printer is not None:
        where &= PrintJob.printer == printer
    if copy_of is not None:
        row = await PrintJob.select(PrintJob.data).where(
            (PrintJob.id == copy_of) & (PrintJob.shop_id == shop_id)).first()
        if row is None:
            return None
        data = bytes(row["data"])
        where &= PrintJob.data.is_in(list({data, without_drawer_kick(data)}))
    row = await PrintJob.select(*_COLUMNS).where(where).order_by(PrintJob.id, ascending=False).first()
    return JobInfo(**row) if row else None
