"""The daily backup made by one server process of all those on one database (web/health.py: keeps_backups)."""

import pytest

from web.health import DailyBackups


@pytest.mark.postgres_only  # SQLite: one process, which keeps the backups (below)
async def test_one_process_of_several_on_postgresql_makes_the_backups_and_another_takes_over(db, settings):
    first, second = DailyBackups(settings, db), DailyBackups(settings, db)
    assert await first.keeps_backups()
    assert not await second.keeps_backups()
    assert await first.keeps_backups()  # still, while it runs
    await first.stop()  # it stops (or dies): its lock goes with its connection
    assert await second.keeps_backups()
    assert not await first.keeps_backups()
    await first.stop()
    await second.stop()


async def test_a_server_alone_on_its_database_makes_the_backups(db, settings):
    alone = DailyBackups(settings, db)
    assert await alone.keeps_backups()
    await alone.stop()
