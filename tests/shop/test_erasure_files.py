"""An erased name leaves the SQLite files too: freed bytes are zeroed (secure_delete) and the WAL is emptied
into the database after the erasure (shop.database.forget_erased). On PostgreSQL it is a no-op that runs."""

from pathlib import Path

from shop.database import forget_erased, run
from shop.shops import ensure_shop
from shop.staff import Role, create_staff

NAME = "独一无二的名字Zq7"


async def test_an_erased_name_is_in_neither_the_database_file_nor_its_wal(db, settings):
    # given a person's name written and then erased (a committed UPDATE, as an erasure is)
    shop_id = await ensure_shop(settings.shop)
    staff = await create_staff(shop_id=shop_id, username="erased", password="erased-pw-1", role=Role.CASHIER,
                               display_name=NAME)
    await run(db, "UPDATE staff SET display_name = $1 WHERE id = $2", "", staff.id)
    # when the erasure is followed by forget_erased
    await forget_erased(db)
    # then (SQLite) neither file holds the name's bytes
    if db.engine_type == "sqlite":
        path = Path(settings.database.url.removeprefix("sqlite:///"))
        wal = path.with_name(path.name + "-wal")
        assert NAME.encode() not in path.read_bytes()
        assert not wal.exists() or NAME.encode() not in wal.read_bytes()
    assert (await run(db, "SELECT display_name FROM staff WHERE id = $1", staff.id))[0]["display_name"] == ""
