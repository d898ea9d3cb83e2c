"""Issue 19: one love bank for the district; each shop's community fund keeps its own points.

A member's number (M + the id) was unique per shop; members are now the district's, found at every shop by it, so
it is unique in the whole database. The numbers were made from the ids, so no row changes: the index is replaced.

The fund's points were one ledger account for all shops (liability:fund:community:points); each shop now has its
own (liability:fund:shop:<id>:points). The ledger is append-only, so what the old account holds is moved by one
ledger transaction per shop (kind "fund-points-to-shop"), to each shop the points its own transactions left there.
Should one shop have spent more of it than was given there (a district that already shared it), that shop gets
none, and the others what they hold in id order, up to what the account holds: it ends at zero, none below it.
A database with one shop (every one so far) moves its fund's points, unchanged, to its shop's account.
"""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "member numbers unique in the district; the fund's points moved to each shop's own account"

SHARED = "liability:fund:community:points"
KIND = "fund-points-to-shop"


def _shop_account(shop_id: int) -> str:
    return f"liability:fund:shop:{shop_id}:points"


class DistrictLoveBank(MigrationManager):
    """The index, then the fund's points moved, in the migration's transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if backwards or self.preview:
                return
            await engine.run_ddl("DROP INDEX member_shop_number")
            await engine.run_ddl("CREATE UNIQUE INDEX member_number ON member (number)")
            await _move(engine)


async def _rows(engine, sql: str, *args) -> list[dict]:
    return await engine.run_querystring(QueryString(sql, *args))


async def _move(engine) -> None:
    shares = await _rows(engine, "SELECT x.shop AS shop, SUM(e.amount) AS total FROM ledger_entry e "
                         "JOIN ledger_txn x ON x.id = e.txn WHERE e.account = {} AND e.currency = 'PTS' "
                         "GROUP BY x.shop ORDER BY x.shop", SHARED)
    left = -sum(int(row["total"]) for row in shares)  # what the old account holds (a credit balance)
    now = datetime.now(UTC)
    for row in shares:
        points = min(-int(row["total"]), left)
        if points <= 0:
            continue
        left -= points
        txn = await _rows(engine, "INSERT INTO ledger_txn (shop, kind, ref, reverses, staff, created_at) "
                          "VALUES ({}, {}, {}, NULL, NULL, {}) RETURNING id", row["shop"], KIND, "issue-19", now)
        for account, amount in ((SHARED, points), (_shop_account(row["shop"]), -points)):
            await _rows(engine, "INSERT INTO ledger_entry (txn, account, currency, amount) VALUES ({}, {}, 'PTS', {})",
                        txn[0]["id"], account, amount)


async def forwards():
    return DistrictLoveBank(migration_id=ID, app_name="lovebank", description=DESCRIPTION)
