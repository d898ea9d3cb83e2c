"""A print worker alone in a process, for tests/printing/test_queue_crash.py to kill -9 and start again.

    python -m tests.printing.crash_worker DATABASE_URL PORT

It does what the server does at start-up (recover_interrupted, then the worker), printing on the network
printer at 127.0.0.1:PORT, asking its status, and runs until it is killed.
"""

import asyncio
import sys

from printing.printers import PrinterConfig
from printing.queue import PrintWorker, recover_interrupted
from shop.database import bind, engine_for, open_database


async def main(url: str, port: int) -> None:
    engine = engine_for(url)
    await open_database(engine)
    bind(engine)
    print(f"recovered {await recover_interrupted()}", flush=True)
    worker = PrintWorker({"receipt": PrinterConfig(kind="network", host="127.0.0.1", port=port, timeout=1.0)})
    worker.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
