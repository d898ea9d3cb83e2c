"""The print queue on SQLite and PostgreSQL: a sale's receipt waits for a printer that is off, then prints once."""

import asyncio
from datetime import UTC, datetime, timedelta

from piccolo.engine.sqlite import SQLiteEngine

from printing.printers import PrinterConfig, PrintError
from printing.queue import (
    INTERRUPTED, PrintWorker, enqueue, health, marked_copy, recent_jobs, recover_interrupted, reprint,
    without_drawer_kick,
)
from printing import queue
from printing.tables import PrintJob
from tests.printing.escpos_decode import Drawer, decode


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Printer:
    """A sender that fails while `off` and records what it printed."""

    def __init__(self) -> None:
        self.off = False
        self.printed: list[bytes] = []

    def __call__(self, config, job_name, data):
        if self.off:
            raise PrintError("printer not found: Connection refused")
        self.printed.append(data)


CONFIG = PrinterConfig(kind="none")


async def test_jobs_print_in_order_exactly_once(db):
    clock, printer = Clock(), Printer()
    worker = PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer)
    for n in range(3):
        await enqueue(shop_id=1, printer="receipt", document="receipt", ref=f"S{n}", data=b"job %d" % n, now=clock())
    assert await worker.print_due() == 3
    assert await worker.print_due() == 0
    assert printer.printed == [b"job 0", b"job 1", b"job 2"]
    assert {job.status for job in await recent_jobs(shop_id=1)} == {"printed"}


async def test_a_printer_that_is_off_keeps_the_job_queued_with_backoff_then_prints_it_once(db):
    # given a printer that is off
    clock, printer = Clock(), Printer()
    printer.off = True
    worker = PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer)
    await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S1", data=b"first", now=clock())
    await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S2", data=b"second", now=clock())
    # when it is tried
    assert await worker.print_due() == 0
    # then the oldest job waits, with the reason, and the till is told
    first = (await recent_jobs(shop_id=1))[-1]
    assert (first.status, first.attempts, first.last_error) == ("queued", 1, "printer not found: Connection refused")
    state = await health(shop_id=1, printer="receipt")
    assert state.failing and state.waiting == 2 and "refused" in state.error
    # and nothing is tried again before the back-off (1 s, 2 s, then every 3 s: never longer)
    assert await worker.print_due() == 0 and first.attempts == 1
    for pause, attempts in ((1, 2), (2, 3), (3, 4), (3, 5)):
        clock.now += timedelta(seconds=pause - 0.5)
        assert await worker.print_due() == 0 and (await recent_jobs(shop_id=1))[-1].attempts == attempts - 1
        clock.now += timedelta(seconds=0.5)
        assert await worker.print_due() == 0 and (await recent_jobs(shop_id=1))[-1].attempts == attempts
    # when the printer is back
    printer.off = False
    clock.now += timedelta(seconds=3)
    assert await worker.print_due() == 2
    # then both print, in order, once
    assert printer.printed == [b"first", b"second"]
    assert not (await health(shop_id=1, printer="receipt")).failing
    assert await worker.print_due() == 0 and len(printer.printed) == 2


async def test_a_job_interrupted_before_its_bytes_left_prints_as_it_was_and_one_interrupted_after_as_a_copy(db):
    # given: two receipts leased by a worker that stopped, the first after its sending started, the second before
    clock, printer = Clock(), Printer()
    sent = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S8",
                         data=b"\x1b@eight\n\x1dV\x00\x1bp\x002\x32", now=clock())
    unsent = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S9", data=b"\x1b@nine", now=clock())
    await PrintJob.update({PrintJob.status: "printing", PrintJob.lease: "dead", PrintJob.lease_until: clock.now,
                           PrintJob.send_started_at: clock.now}).where(PrintJob.id == sent)
    await PrintJob.update({PrintJob.status: "printing", PrintJob.lease: "dead"}).where(PrintJob.id == unsent)

    # when the server starts again
    assert await recover_interrupted() == 2
    jobs = {job.id: job for job in await recent_jobs(shop_id=1)}
    assert (jobs[sent].status, jobs[sent].as_copy, jobs[sent].last_error) == ("queued", True, INTERRUPTED)
    assert (jobs[unsent].status, jobs[unsent].as_copy) == ("queued", False)
    assert await PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer).print_due() == 2

    # then: in order, the one that may have printed marked 重打 / COPY and without its drawer kick, the other as it was
    assert printer.printed == [marked_copy(b"\x1b@eight\n\x1dV\x00\x1bp\x002\x32", encoding="gb18030"), b"\x1b@nine"]
    lines = decode(printer.printed[0]).lines
    assert lines[0].raw.decode("gb18030") == "** 重打 / COPY **" and lines[0].bold and lines[0].align == "center"
    assert lines[1].text == "eight" and not lines[1].bold and Drawer not in map(type, decode(printer.printed[0]).events)
    assert {job.status for job in await recent_jobs(shop_id=1)} == {"printed"}


def test_a_copy_says_copy_in_any_encoding():
    assert decode(marked_copy(b"\x1b@x\n", encoding="gbk")).lines[0].raw.decode("gbk") == "** 重打 / COPY **"
    assert decode(marked_copy(b"\x1b@x\n", encoding="utf-8")).lines[0].raw.decode() == "** 重打 / COPY **"
    assert decode(marked_copy(b"\x1b@x\n", encoding="cp437")).lines[0].text == "** COPY **"


async def test_a_person_reprints_a_failed_job(db):
    clock, printer = Clock(), Printer()
    job_id = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S9", data=b"x", now=clock())
    await PrintJob.update({PrintJob.status: "failed"}).where(PrintJob.id == job_id)
    again = await reprint(shop_id=1, job_id=job_id, now=clock())
    assert again != job_id
    assert await PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer).print_due() == 1
    assert printer.printed == [b"x"]
    assert await reprint(shop_id=2, job_id=job_id) is None  # another shop's job is not ours to print


async def test_two_workers_never_print_the_same_job(db):
    clock, printer = Clock(), Printer()
    for n in range(20):
        await enqueue(shop_id=1, printer="receipt", document="receipt", ref=f"S{n}", data=b"%d" % n, now=clock())
    workers = [PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer) for _ in range(3)]
    await asyncio.gather(*[w.print_due() for w in workers])
    assert sorted(printer.printed, key=int) == [b"%d" % n for n in range(20)]


async def test_paper_out_and_cover_open_hold_the_job_until_the_printer_is_ready_then_it_prints_once(db):
    from tests.printing.fake_printer import FakePrinter

    clock = Clock()
    with FakePrinter() as printer:
        worker = PrintWorker({"receipt": PrinterConfig(kind="network", host="127.0.0.1", port=printer.port,
                                                       timeout=0.5)}, clock=clock)
        await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S1", data=b"receipt one", now=clock())
        for mode, reason in (("paper_out", "paper out"), ("cover_open", "cover open"), ("stall", "did not answer"),
                             ("refuse", "")):
            printer.mode = mode
            clock.now += timedelta(minutes=2)
            assert await worker.print_due() == 0
            job = (await recent_jobs(shop_id=1))[0]
            assert job.status == "queued" and reason in job.last_error
        assert printer.received == b""  # not one byte of the job went into a printer that would not print it
        printer.mode = "ok"
        clock.now += timedelta(minutes=2)
        assert await worker.print_due() == 1
        printer.settle()
        assert printer.received == b"receipt one"
        assert await worker.print_due() == 0


async def test_a_reprint_never_kicks_the_drawer_again(db):
    # given: a receipt whose bytes end with the drawer kick (ESC p 0 50 50), after the cut
    clock, printer = Clock(), Printer()
    job_id = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S9",
                           data=b"\x1b@text\x1dV\x00\x1bp\x002\x32", now=clock())

    # when
    await reprint(shop_id=1, job_id=job_id, now=clock())
    await PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer).print_due()

    # then
    assert printer.printed == [b"\x1b@text\x1dV\x00\x1bp\x002\x32", b"\x1b@text\x1dV\x00"]
    assert without_drawer_kick(b"\x1b@label") == b"\x1b@label"  # nothing to leave off


async def test_a_redacted_job_loses_its_bytes_never_prints_and_cannot_be_printed_again(db):
    from printing.queue import redact

    # given a member's card printed, and their statement still waiting for a printer that is off
    clock, printer = Clock(), Printer()
    worker = PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer)
    card = await enqueue(shop_id=1, printer="receipt", document="member card", ref="M000007", data="card 王阿姨".encode(),
                         now=clock())
    await worker.print_due()
    printer.off = True
    statement = await enqueue(shop_id=1, printer="receipt", document="passbook statement", ref="M000007",
                              data="statement 王阿姨".encode(), now=clock())
    other = await enqueue(shop_id=1, printer="receipt", document="member card", ref="M000008", data="card 李".encode(),
                          now=clock())
    await worker.print_due()
    # when the member is erased
    assert await redact(shop_id=1, document="member card", refs=["M000007"]) == 1
    assert await redact(shop_id=1, document="passbook statement", refs=["M000007"]) == 1
    # then neither job holds their name, the waiting one never prints, and neither can be printed again
    rows = {row["id"]: row for row in await PrintJob.select(PrintJob.id, PrintJob.data, PrintJob.status)}
    assert (bytes(rows[card]["data"]), rows[card]["status"]) == (b"", "redacted")
    assert (bytes(rows[statement]["data"]), rows[statement]["status"]) == (b"", "redacted")
    assert bytes(rows[other]["data"]) == b"card \xe6\x9d\x8e"
    printer.off = False
    clock.now += timedelta(minutes=5)
    await worker.print_due()
    assert printer.printed == [b"card \xe7\x8e\x8b\xe9\x98\xbf\xe5\xa7\xa8", b"card \xe6\x9d\x8e"]
    assert await reprint(shop_id=1, job_id=card) is None and await reprint(shop_id=1, job_id=statement) is None


async def test_finished_jobs_are_pruned_after_the_time_kept_and_waiting_ones_never(db):
    # given a worker keeping finished jobs 30 days, a printed job 31 days old and one still waiting as old
    clock, printer = Clock(), Printer()
    worker = PrintWorker({"receipt": CONFIG}, clock=clock, sender=printer, keep=timedelta(days=30))
    old = clock.now - timedelta(days=31)
    await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S1", data=b"old", now=old)
    await worker.print_due()
    waiting = await enqueue(shop_id=1, printer="other", document="receipt", ref="S2", data=b"waits", now=old)
    fresh = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S3", data=b"new", now=clock())
    await worker.print_due()
    # when the worker prunes (once an hour at most)
    assert await worker.prune_if_due() == 1
    assert await worker.prune_if_due() == 0
    # then only the old printed job went
    assert sorted(job.id for job in await recent_jobs(shop_id=1)) == sorted([waiting, fresh])


async def test_after_a_day_of_printed_receipts_the_worker_reads_the_queue_without_reading_every_printed_job(db):
    # given a day of printed receipts and the statistics a shop that has been selling has (every job printed when
    # they were taken), then one receipt queued
    for n in range(0, 3000, 500):
        for k in range(500):
            await enqueue(shop_id=1, printer="receipt", document="receipt", ref=f"S{n + k:08d}", data=b"x")
        await PrintJob.update({PrintJob.status: "printed"}, force=True)
    await PrintJob.raw("ANALYZE")
    await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S99999999", data=b"x")
    # when the worker looks for the jobs printing and for the receipt printer's oldest unfinished job, then neither
    # statement reads the whole table
    now = datetime.now(UTC)
    if isinstance(PrintJob._meta.db, SQLiteEngine):
        plans = [await PrintJob.raw("EXPLAIN QUERY PLAN " + queue._OLDEST, "receipt"),
                 await PrintJob.raw("EXPLAIN QUERY PLAN " + queue._PRINTING)]
        whole = "SCAN print_job"
    else:
        plans = [await PrintJob.raw("EXPLAIN " + queue._LEASE_OLDEST, "token", now, "receipt", now),
                 await PrintJob.raw("EXPLAIN " + queue._PRINTING)]
        whole = "Seq Scan on print_job"
    for plan in plans:
        assert whole not in str(plan) and "print_job" in str(plan), plan
    # and the queued one prints
    printer = Printer()
    assert await PrintWorker({"receipt": CONFIG}, clock=lambda: now, sender=printer).print_due() == 1
    assert printer.printed == [b"x"]
