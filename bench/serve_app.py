"""The real Aixin app as uvicorn factories, configured only by AIXIN_* environment variables.

`aixin serve` calls `uvicorn.run(create_app(settings), ...)`; `app` builds the same app so
that the benchmark can start it with the uvicorn command line (and so with
`--no-access-log`), one worker:

    AIXIN_DATABASE_URL=sqlite:////tmp/x/aixin.sqlite AIXIN_SERVER_DATA_DIR=/tmp/x/data \\
    AIXIN_PRINTER_KIND=none AIXIN_CONFIG=/work/main/config.toml \\
    .venv/bin/python -m uvicorn --app-dir bench serve_app:app --factory \\
        --host 127.0.0.1 --port 8102 --workers 1 --no-access-log --log-level warning

The database must already be migrated (`aixin migrate` / `aixin demo`).

`floor` is the "stack floor": the very same app (its middleware, authentication, CSRF, exception handlers, security
headers, the cashier's role check, the scan's exemption from CSRF) with two more routes that answer without touching
the database. GET /bench/floor/hello is the bare endpoint's own handler (serve_bare.py) behind that stack: what it
costs beyond the bare app is the stack the app chose, and nothing else. GET /bench/floor/items/{barcode} answers a
constant item through a handler of the scan's former shape (an async handler with a path parameter, returning
TillItem): what it costs beyond /hello is Litestar's handler pipeline, which the scan now skips (web/api.py
scan_at_once) and every other route still pays. Started with the same data folder it shares the app's secret, so the
real app's login cookie works on it.

Experiments measure a suspected cost without touching the project's code, chosen with
AIXIN_BENCH_EXPERIMENT (the one before these, async guards, +11-24% scan throughput, became the project's code):

* `one-by-one`: on PostgreSQL every scan's lookup goes alone, as before shop.database.fetch_by_key let the lookups
  of tills scanning at the same moment go together in one statement;
* `two-together`: two lookups on their way before the next ones wait (ShopPostgresEngine.TOGETHER is 1).
"""

from __future__ import annotations

import os

from litestar import Controller, Litestar, get

EXPERIMENT = os.environ.get("AIXIN_BENCH_EXPERIMENT", "")

EXPERIMENTS = {"one-by-one": 10**9, "two-together": 2}  # ShopPostgresEngine.TOGETHER
if EXPERIMENT:
    if EXPERIMENT not in EXPERIMENTS:
        raise SystemExit(f"unknown AIXIN_BENCH_EXPERIMENT {EXPERIMENT!r}")
    from shop.database import ShopPostgresEngine

    ShopPostgresEngine.TOGETHER = EXPERIMENTS[EXPERIMENT]

from shop.settings import load_settings  # noqa: E402
from shop.staff import Role  # noqa: E402
from inventory.catalogue import TillItem  # noqa: E402
from web.app import create_app  # noqa: E402
from web.auth import requires_role  # noqa: E402


def app() -> Litestar:
    return create_app(load_settings())


class FloorApi(Controller):
    path = "/bench/floor"
    opt = requires_role(Role.CASHIER, needs_tills=True)  # as TillApi's

    @get("/hello", sync_to_thread=False, opt={"read_only_hot_path": True})  # serve_bare.py's, with the scan's opt
    def hello(self) -> dict[str, object]:
        return {"hello": "world", "n": 1}

    @get("/items/{barcode:str}", opt={"read_only_hot_path": True})  # as the scan's: a read, no CSRF token
    async def scan(self, barcode: str) -> TillItem:
        return TillItem(id=1, barcode=barcode, name="儿童羽绒服（九成新）", price_fen=3500, list_price_fen=3500,
                        markdown_percent=0, category="衣物", source="donated", accepts_points=True, on_hand=1,
                        expires_on=None, expired=False, removal_due=False)


def floor() -> Litestar:
    real = create_app(load_settings())
    real.register(FloorApi)
    return real
