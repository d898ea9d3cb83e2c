"""A print worker alone in a process, for tests/printing/test_queue_workers.py: two of them drain one queue.

    python -m tests.printing.queue_drainer DATABASE_URL OUT_FILE

It waits for a line on standard input (so both start together), then prints every due job of the printers
p0…p3 through a sender that writes each job's name to OUT_FILE (one line per job it printed), until no job is
left queued or printing; then it exits.
"""

import asyncio
import sys
import time

from printing.printers import PrinterConfig
from printing.queue import PrintWorker
from printing.tables import PrintJob
from shop.database import bind, close_database, engine_for, open_database

PRINTERS = [f"p{n}" for n in range(4)]


async def main(url: str, out: str) -> None:
    engine = engine_for(url)
    await open_database(engine)
    bind(engine)
    with open(out, "a", encoding="utf-8") as printed:
        def sender(config, job_name, data):
            printed.write(job_name + "\n")
            printed.flush()
            time.sleep(0.002)  # a printer takes a moment: the other process claims meanwhile

        worker = PrintWorker({name: PrinterConfig(kind="none") for name in PRINTERS}, sender=sender)
        sys.stdin.readline()
        while await PrintJob.exists().where(PrintJob.status.is_in(["queued", "printing"])):
            await worker.print_due()
    await close_database(engine)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
