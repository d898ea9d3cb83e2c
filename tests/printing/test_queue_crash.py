"""Kill -9 the print worker's process while its printer stalls, resets or hangs up, again and again, then start it
with the printer healthy: every receipt comes out, and none comes out twice unless the later ones say 重打 / COPY.

The worker runs in a process of its own (tests/printing/crash_worker.py) against this test's database, a SQLite
file or PostgreSQL, sometimes in two processes at once (two servers); the printer is the fake network printer,
which keeps what each connection brought.
"""

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from printing.queue import enqueue, marked_copy, without_drawer_kick
from printing.tables import PrintJob
from tests.printing.escpos_decode import Drawer, decode
from tests.printing.fake_printer import FakePrinter

ROOT = Path(__file__).parents[2]
COPY_MARK = marked_copy(b"", encoding="gb18030")
CYCLES = ("stall", "stall mid-job", "reset", "printing", "hang up", "paper out", "printing", "stall mid-job")


def receipt(number: int) -> bytes:
    """A receipt as the till makes one: its number first, thirty lines, the cut, the drawer kick."""
    lines = [f"爱心超市 小票 S{number:04d}"] + [f"{line:02d} 手工编织杯垫 x1  ￥8.00" for line in range(30)]
    text = b"".join(b"\x1c&" + line.encode("gb18030") + b"\x1c.\n" for line in lines)
    return b"\x1b@" + text + b"\x1dV\x00" + b"\x1bp\x002\x32"


def number_of(body: bytes) -> int:
    """The receipt's number, read from its first line (at least its first 40 bytes came out)."""
    first = body[2:].split(b"\x1c.", 1)[0].removeprefix(b"\x1c&").decode("gb18030")
    return int(first.rsplit("S", 1)[1])


class Workers:
    """The worker's processes: each started, then killed with SIGKILL; any left at the end killed too."""

    def __init__(self, url: str, port: int) -> None:
        self.url, self.port = url, port
        self.running: list[subprocess.Popen] = []

    def start(self) -> None:
        process = subprocess.Popen([sys.executable, "-m", "tests.printing.crash_worker", self.url, str(self.port)],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.running.append(process)
        assert process.stdout.readline().startswith("recovered")  # it has recovered: its worker starts

    def kill(self) -> None:
        for process in self.running:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            process.stdout.close()
        self.running = []


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def _print_through_crashes(printer: FakePrinter, workers: Workers, receipts: dict[int, bytes],
                                chance: random.Random) -> list[bytes]:
    """Receipts made while the worker is killed in the middle of one trouble after another; then two last workers with
    the printer healthy, until every receipt is printed. What each connection to the printer brought."""
    for trouble in CYCLES:
        # given: sales made, their receipts queued
        for _ in range(5):
            number = len(receipts) + 1
            receipts[number] = receipt(number)
            await enqueue(shop_id=1, printer="receipt", document="receipt", ref=f"S{number:04d}",
                          data=receipts[number])
        # when: the printer misbehaves and the worker's process is killed at some moment of it
        connections, cuts, printed = printer.connections, printer.cuts, len([job for job in printer.jobs if job])
        cut_at = chance.randrange(40, len(receipts[1]) - 10)
        match trouble:
            case "stall":
                printer.mode = "stall"
            case "stall mid-job":
                printer.cut_after(cut_at, "stall")
            case "reset":
                printer.cut_after(cut_at, "reset")
            case "hang up":
                printer.cut_after(cut_at, "hang_up")
            case "paper out":
                printer.mode = "paper_out"
        await asyncio.to_thread(workers.start)
        if trouble == "printing":  # two servers on one database (the second's start may copy the first's job)
            await asyncio.to_thread(workers.start)
        match trouble:
            case "stall" | "paper out":
                await until(lambda: printer.connections > connections)
            case "stall mid-job":
                await until(lambda: printer.cuts > cuts)
            case _:
                more = chance.randrange(3)
                await until(lambda: len([job for job in printer.jobs if job]) > printed + more)
        await asyncio.sleep(chance.uniform(0, 0.6))
        workers.kill()
        printer.mode = "refuse"  # switched off and on: a stalled connection is dropped
        printer.mode = "ok"

    # when: started again (two servers) with the printer healthy
    await asyncio.to_thread(workers.start)
    await asyncio.to_thread(workers.start)
    deadline = time.monotonic() + 30
    while await PrintJob.count().where(PrintJob.status != "printed"):
        assert time.monotonic() < deadline, "not every receipt printed"
        await asyncio.sleep(0.1)
    workers.kill()
    await asyncio.to_thread(printer.settle)
    return printer.jobs


async def test_kill_9_while_the_printer_fails_then_restart_prints_every_receipt_and_no_unmarked_twice(
        db, database_url):
    chance = random.Random(16)
    receipts: dict[int, bytes] = {}
    with FakePrinter() as printer:
        workers = Workers(database_url, printer.port)
        try:
            jobs = await _print_through_crashes(printer, workers, receipts, chance)
        finally:
            workers.kill()

    # then: every receipt came out whole at least once; after the first time any came out (whole or in part),
    # every other print of it says 重打 / COPY at the top and does not kick the drawer
    prints = defaultdict(list)
    for data in jobs:
        if not data:
            continue  # a connection that only asked the status
        marked = data.startswith(COPY_MARK)
        body = data[len(COPY_MARK):] if marked else data
        number = number_of(body)
        whole = without_drawer_kick(receipts[number]) if marked else receipts[number]
        assert whole.startswith(body), f"S{number:04d}: bytes that are not the receipt's"
        prints[number].append((marked, body == whole))
    for number in receipts:
        assert any(whole for _, whole in prints[number]), f"S{number:04d} never printed whole: {prints[number]}"
        assert all(marked for marked, _ in prints[number][1:]), f"S{number:04d} twice unmarked: {prints[number]}"
    copies = [data for data in jobs if data.startswith(COPY_MARK) and data.endswith(b"\x1dV\x00")]
    assert copies, "no receipt was cut off: the test did not test copies"
    assert all(Drawer not in map(type, decode(data).events) for data in copies)
