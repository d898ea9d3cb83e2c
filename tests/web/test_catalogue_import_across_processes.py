"""Catalogue imports kept in the database (web/catalogue_io.py): with several server processes on one PostgreSQL
(`aixin serve --workers N`), any of them answers for an import another writes, and refuses a second one of the same
shop while it runs; an import whose process is gone does not block the shop for ever (both databases)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import web.catalogue_io
from inventory.tables import CatalogueImport, Item
from tests.web.conftest import Shop, running
from tests.web.test_catalogue_csv_api import csv_file, finished, upload
from web.app import create_app


@pytest.mark.postgres_only  # SQLite is one process's database: a second app on it is not a second process
async def test_an_import_written_by_one_process_is_followed_and_guarded_from_another(db, settings, goods,
                                                                                     monkeypatch):
    monkeypatch.setattr(web.catalogue_io, "BEAT_SECONDS", 0.05)
    # given two processes of the server on one database, a manager on each
    async with running(create_app(settings, engine=db)) as one, running(create_app(settings, engine=db)) as two:
        first, second = Shop(one, Path(settings.printer.path)), Shop(two, Path(settings.printer.path))
        writer = await first.logged_in("manager", "manager-pw")
        reader = await second.logged_in("manager", "manager-pw")
        # when the first starts an import of 3,000 items
        started = await upload(writer, csv_file(*(f",商品{i},food,1.00,1,,,,," for i in range(3_000))))
        assert started.status_code == 202, started.text
        import_id = started.json()["id"]
        # then the second answers for it while it runs, and refuses another import of the shop meanwhile
        state = (await reader.get(f"/api/catalogue/imports/{import_id}")).json()
        assert (state["status"], state["total"]) == ("running", 3_000)
        refused = await upload(reader, csv_file(",挂面,food,4.50,,,,,,"))
        assert (refused.status_code, refused.json()["code"]) == (409, "csv-import-running")
        # and follows it to its end: its progress only ever goes up, and its summary is there
        state = await finished(reader, import_id)
        assert (state["status"], state["done"], state["summary"]["created"]) == ("done", 3_000, 3_000)
        assert await Item.count().where(Item.name.like("商品%")) == 3_000
        # and once it is done the second may import
        after = await upload(reader, csv_file(",挂面,food,4.50,,,,,,"))
        assert after.status_code == 202, after.text
        assert (await finished(writer, after.json()["id"]))["summary"]["created"] == 1
        for client in first.clients + second.clients:
            await client.aclose()


async def test_an_import_whose_process_is_gone_is_failed_and_does_not_block_the_shop(manager, goods):
    # given an import left running by a process that died a minute ago (or, on SQLite, by the last stop)
    rows = await CatalogueImport.insert(CatalogueImport(
        shop=goods.shop_id, status="running", total=500, done=120,
        beat_at=datetime.now(UTC) - timedelta(minutes=1))).returning(CatalogueImport.id)
    left = rows[0]["id"]
    # when the manager looks at it, then imports
    state = (await manager.get(f"/api/catalogue/imports/{left}")).json()
    assert (state["status"], state["done"], state["total"]) == ("failed", 120, 500)
    started = await upload(manager, csv_file(",挂面,food,4.50,,,,,,"))
    # then the new import runs
    assert started.status_code == 202, started.text
    assert (await finished(manager, started.json()["id"]))["status"] == "done"


async def test_an_import_cut_short_by_a_stop_is_failed(db, settings, goods):
    async with running(create_app(settings, engine=db)) as app:
        shop = Shop(app, Path(settings.printer.path))
        manager = await shop.logged_in("manager", "manager-pw")
        started = await upload(manager, csv_file(*(f",商品{i},food,1.00,1,,,,," for i in range(3_000))))
        assert started.status_code == 202, started.text
        for client in shop.clients:
            await client.aclose()
    # the app stopped at once: the import's transaction rolled back, and its row says so
    row = await CatalogueImport.select(CatalogueImport.status).where(
        CatalogueImport.id == started.json()["id"]).first()
    assert row["status"] in ("failed", "done")  # done only if it beat the stop
    if row["status"] == "failed":
        assert await Item.count().where(Item.name.like("商品%")) == 0
