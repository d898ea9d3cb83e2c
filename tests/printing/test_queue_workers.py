"""Several print workers on one queue (`aixin serve --workers N`, or several app servers on one PostgreSQL): each
job prints exactly once, and each printer's jobs in order."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from printing.printers import PrinterConfig
from printing.queue import PrintWorker, enqueue, recent_jobs
from printing.tables import PrintJob
from tests.printing.queue_drainer import PRINTERS

ROOT = Path(__file__).resolve().parents[2]
JOBS = 200


async def _queue_jobs() -> list[str]:
    """JOBS jobs, spread over the printers p0…p3 in turn; their names (document-ref) in the order queued."""
    names = []
    for n in range(JOBS):
        ref = f"S{n:03d}"
        await enqueue(shop_id=1, printer=PRINTERS[n % len(PRINTERS)], document="receipt", ref=ref, data=ref.encode())
        names.append(f"receipt-{ref}")
    return names


def _each_printer_in_order(printed: list[str]) -> None:
    for p, printer in enumerate(PRINTERS):
        theirs = [name for name in printed if int(name.removeprefix("receipt-S")) % len(PRINTERS) == p]
        assert theirs == sorted(theirs), f"{printer} printed out of order"


async def test_two_workers_draining_one_queue_print_each_job_once(db):
    queued = await _queue_jobs()
    printed: list[str] = []
    by: Counter[int] = Counter()

    def sender_of(worker: int):
        def sender(config, job_name, data):
            printed.append(job_name)
            by[worker] += 1
            time.sleep(0.001)  # the other worker claims while this one prints
        return sender

    workers = [PrintWorker({name: PrinterConfig(kind="none") for name in PRINTERS}, sender=sender_of(w))
               for w in range(2)]

    async def drain(worker: PrintWorker) -> None:
        while await PrintJob.exists().where(PrintJob.status.is_in(["queued", "printing"])):
            await worker.print_due()
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(*(drain(w) for w in workers)), timeout=120)
    assert sorted(printed) == sorted(queued)  # every job, none twice
    assert len(set(printed)) == JOBS
    _each_printer_in_order(printed)
    assert {job.status for job in await recent_jobs(shop_id=1, limit=JOBS)} == {"printed"}
    assert not any(job.as_copy for job in await recent_jobs(shop_id=1, limit=JOBS))


@pytest.mark.postgres_only  # SQLite is one process's database: `aixin serve --workers N` refuses it
async def test_two_processes_draining_one_queue_print_each_job_once(db, settings, tmp_path):
    queued = await _queue_jobs()
    outs = [tmp_path / f"printed-{n}.txt" for n in range(2)]
    processes = [subprocess.Popen([sys.executable, "-m", "tests.printing.queue_drainer", settings.database.url,
                                   str(out)], cwd=ROOT, env=os.environ, stdin=subprocess.PIPE, text=True)
                 for out in outs]
    try:
        time.sleep(1.5)  # both connected
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            assert process.wait(timeout=120) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    each = [out.read_text().split() if out.exists() else [] for out in outs]
    printed = each[0] + each[1]
    assert sorted(printed) == sorted(queued)  # every job, none twice, whichever process printed it
    assert all(each), f"one process printed nothing ({[len(e) for e in each]}): the test did not test sharing"
    for process_printed in each:
        _each_printer_in_order(process_printed)
    assert {job.status for job in await recent_jobs(shop_id=1, limit=JOBS)} == {"printed"}
