"""A job is printed only when the printer took every byte and, where it answers, said after the job that it is fine;
one cut off part-way prints again marked 重打 / COPY; a stall shows within 2 s; a printer back on prints within 5 s.
Against the fake network printer on 127.0.0.1, on SQLite and PostgreSQL."""

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from printing.printers import PartlySent, PrinterConfig, PrintError, send
from printing.queue import LEASE, PrintWorker, enqueue, health, marked_copy, recent_jobs, without_drawer_kick
from printing.tables import PrintJob
from tests.printing.fake_printer import FakePrinter
from tests.printing.test_queue_crash import receipt

RECEIPT = receipt(42)  # 964 bytes, ending with the cut and the drawer kick
LABELS = b"\x1b@" + b"\x1dv0\x00\x48\x00\xff\x0f" + bytes(72 * 4095) + b"\x1dV\x00"  # a sheet of labels: ~300 kB


def config_for(printer: FakePrinter, *, ask_status: bool = True) -> PrinterConfig:
    return PrinterConfig(kind="network", host="127.0.0.1", port=printer.port, timeout=5.0, ask_status=ask_status)


@pytest.mark.parametrize("ask_status", [True, False])
@pytest.mark.parametrize("how", ["reset", "hang_up"])
def test_a_printer_that_resets_or_hangs_up_part_way_never_counts_as_printed(how, ask_status):
    with FakePrinter() as printer:
        # given: the printer stops after 201 of the job's bytes
        printer.cut_after(201, how)
        started = []

        # when
        with pytest.raises(PartlySent):
            send(config_for(printer, ask_status=ask_status), "S1", RECEIPT, check_status=ask_status,
                 started=lambda: started.append(printer.received))

        # then: the start was told before a byte of the job left, and 201 bytes came out
        assert started == [b""]
        assert printer.settle() == RECEIPT[:201]


@pytest.mark.parametrize("ask_status, error", [(True, "printer did not answer after the job"),
                                               (False, "printer stopped taking the job")])
def test_a_printer_that_stalls_part_way_fails_within_2_s(ask_status, error):
    # given: a printer with a small input buffer that stops reading after 1000 bytes of a sheet of labels
    with FakePrinter(buffer=16384) as printer:
        printer.cut_after(1000, "stall")

        # when
        began = time.monotonic()
        with pytest.raises(PartlySent, match=error):
            send(config_for(printer, ask_status=ask_status), "labels", LABELS, check_status=ask_status)

        # then
        assert time.monotonic() - began < 2.0
        assert printer.jobs == [LABELS[:1000]]


def test_a_stall_after_the_job_is_seen_where_the_printer_answers_status():
    # given: the printer takes the whole receipt into its buffer, then answers nothing
    with FakePrinter() as printer:
        printer.cut_after(len(RECEIPT), "stall")

        # when
        began = time.monotonic()
        with pytest.raises(PartlySent, match="printer did not answer after the job"):
            send(config_for(printer), "S1", RECEIPT, check_status=True)

        # then
        assert time.monotonic() - began < 2.0


def test_the_status_is_asked_before_and_after_the_job_and_the_job_arrives_whole():
    with FakePrinter() as printer:
        send(config_for(printer), "S1", RECEIPT + b"\x10\x04", check_status=True)  # even a job ending like a query

        assert printer.settle() == RECEIPT + b"\x10\x04"
        assert printer.queries == [1, 2, 4, 1, 2, 4]


def test_nothing_is_started_when_the_printer_cannot_print():
    with FakePrinter() as printer:
        printer.mode = "paper_out"
        started = []

        with pytest.raises(PrintError) as raised:
            send(config_for(printer), "S1", RECEIPT, check_status=True, started=lambda: started.append(True))

        assert not isinstance(raised.value, PartlySent) and started == []


async def test_a_job_cut_off_part_way_prints_again_marked_copy_without_the_drawer_kick(db):
    with FakePrinter() as printer:
        # given: a printer that resets after 201 bytes of the first receipt
        printer.cut_after(201, "reset")
        clock = Clock()
        worker = PrintWorker({"receipt": config_for(printer)}, clock=clock)
        await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S0042", data=RECEIPT, now=clock())
        second = receipt(43)
        await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S0043", data=second, now=clock())

        # when
        assert await worker.print_due() == 0
        job = (await recent_jobs(shop_id=1))[-1]
        assert (job.status, job.as_copy, job.last_error) == ("queued", True, "printer reset during the job")
        assert (await health(shop_id=1, printer="receipt")).failing
        clock.now += timedelta(seconds=1)
        assert await worker.print_due() == 2

        # then: 201 bytes, then the receipt again, marked, no drawer kick; the next one as it is
        printer.settle()
        assert printer.jobs == [RECEIPT[:201], marked_copy(RECEIPT, encoding="gb18030"), second]
        assert marked_copy(RECEIPT, encoding="gb18030").endswith(without_drawer_kick(RECEIPT))


async def test_a_stall_shows_within_2_s_and_a_printer_back_on_prints_within_5_s(db):
    with FakePrinter() as printer:
        # given: a printer that stalls, and the worker running
        printer.mode = "stall"
        worker = PrintWorker({"receipt": config_for(printer)})
        worker.start()
        try:
            await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S0042", data=RECEIPT)
            worker.wake()
            began = time.monotonic()
            while not (await health(shop_id=1, printer="receipt")).failing:
                await asyncio.sleep(0.05)
            # then the till is told within 2 s on an idle machine: the worker gives up after 1.5 s with nothing
            # taken; the bound leaves a loaded CI machine (two test processes and a browser) a second more, and
            # still fails a worker that waits for the socket's own timeout
            assert time.monotonic() - began < 3.0
            assert "did not answer" in (await health(shop_id=1, printer="receipt")).error

            # when it is switched off a while, then on again
            printer.mode = "refuse"
            await asyncio.sleep(3.5)
            printer.mode = "ok"
            began = time.monotonic()
            while (await recent_jobs(shop_id=1))[0].status != "printed":
                await asyncio.sleep(0.05)
            # then the receipt prints within 5 s, once, as it is (not a byte of it had left)
            assert time.monotonic() - began < 5.0
        finally:
            await worker.stop()
        assert await asyncio.to_thread(printer.settle) == RECEIPT


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class HeldPrinter:
    """A sender that holds each job until let go, then keeps it."""

    def __init__(self) -> None:
        self.sending = threading.Event()
        self.go = threading.Event()
        self.printed: list[bytes] = []

    def __call__(self, config, job_name, data):
        self.sending.set()
        self.go.wait(timeout=10)
        self.printed.append(data)


async def test_a_job_whose_lease_ran_out_is_taken_back_and_the_first_worker_records_nothing(db):
    # given: worker A sending a receipt when its lease runs out (its process hangs)
    clock, held = Clock(), HeldPrinter()
    config = PrinterConfig(kind="none")
    job_id = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S1", data=b"\x1b@one\n", now=clock())
    first = asyncio.create_task(PrintWorker({"receipt": config}, clock=clock, sender=held).print_due())
    await asyncio.to_thread(held.sending.wait, 10)

    # when: worker B (another process) passes after the lease: the job may have printed, so B prints a copy
    clock.now += LEASE + timedelta(seconds=1)
    other = []
    assert await PrintWorker({"receipt": config}, clock=clock, sender=lambda c, n, data: other.append(data)
                             ).print_due() == 1
    held.go.set()

    # then: A's print is not recorded a second time; the job is printed once, and B's print said COPY
    assert await first == 0
    assert other == [marked_copy(b"\x1b@one\n", encoding="gb18030")] and held.printed == [b"\x1b@one\n"]
    job = (await recent_jobs(shop_id=1))[0]
    assert (job.id, job.status, job.attempts, job.as_copy) == (job_id, "printed", 1, True)


async def test_a_lease_not_run_out_holds_the_job_and_those_behind_it(db):
    # given: the oldest receipt leased by a live worker elsewhere, not yet sending
    clock = Clock()
    printed = []
    leased = await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S1", data=b"one", now=clock())
    await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S2", data=b"two", now=clock())
    await PrintJob.update({PrintJob.status: "printing", PrintJob.lease: "elsewhere",
                           PrintJob.lease_until: clock.now + LEASE}).where(PrintJob.id == leased)
    worker = PrintWorker({"receipt": PrinterConfig(kind="none")}, clock=clock,
                         sender=lambda c, n, data: printed.append(data))

    # when / then: nothing prints out of order while it is leased
    assert await worker.print_due() == 0 and printed == []
    # when the lease runs out (that process died before sending): both print, in order, as they are
    clock.now += LEASE + timedelta(seconds=1)
    assert await worker.print_due() == 2 and printed == [b"one", b"two"]


@pytest.mark.parametrize("error, copy", [(PrintError("printer not found: Connection refused"), False),
                                         (PartlySent("printer reset during the job"), True)])
async def test_a_sender_that_fails_before_or_after_the_first_byte(db, error, copy):
    clock = Clock()
    await enqueue(shop_id=1, printer="receipt", document="receipt", ref="S1", data=b"one", now=clock())

    def fail(config, job_name, data):
        raise error

    assert await PrintWorker({"receipt": PrinterConfig(kind="none")}, clock=clock, sender=fail).print_due() == 0
    job = (await recent_jobs(shop_id=1))[0]
    assert (job.status, job.as_copy, job.last_error) == ("queued", copy, str(error))
    row = await PrintJob.select(PrintJob.lease, PrintJob.lease_until, PrintJob.send_started_at).first()
    assert row == {"lease": "", "lease_until": None, "send_started_at": None}
