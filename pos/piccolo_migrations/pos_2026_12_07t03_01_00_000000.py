"""Issue 22: the reports' hourly summaries are folded after the sale, from an outbox, so sales of a shop never wait on
each other.

Until now the triggers on sale_line, tender (points) and return_line added to report_line_hour and report_sale_hour in
the sale's own transaction: two tills of one shop selling in the same hour both updated the same summary rows, and
they were made to wait in turn (a lock per shop) or deadlocked. Now the same triggers (same names, same sums) only
append: one row per summary row the write adds to, into report_line_outbox and report_sale_outbox, which have the
summaries' columns and an id. Nothing two sales write is the same row. pos/summaries.py folds the outbox into the
summaries, each row exactly once (on PostgreSQL several folders at once take disjoint rows: FOR UPDATE SKIP
LOCKED, deleted in the transaction that adds them), and a report reads the summaries and the outbox rows not yet
folded together (UNION ALL), so it is exact at any moment. The outbox refuses UPDATE (and TRUNCATE on PostgreSQL):
a row leaves it only by being folded. The summaries already made are kept as they are: they were folded as written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T03:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the reports' summaries folded from an outbox the sales append to"


def _part(fund: str, total: str, points: str, big: str) -> str:
    """allocate(fund, [cash, points])[1] in SQL (a frozen copy of pos.sold.points_part_sql)."""
    f = f"ABS(CAST({fund} AS {big}))"
    p, c = f"CAST({points} AS {big})", f"CAST({total} - {points} AS {big})"
    part = (f"({f} * {p}) / {total} + CASE WHEN {f} - ({f} * {c}) / {total} - ({f} * {p}) / {total} > 0 "
            f"AND ({f} * {p}) % {total} > ({f} * {c}) % {total} THEN 1 ELSE 0 END")
    sign = f"CASE WHEN {fund} < 0 THEN -1 ELSE 1 END"
    return f"CASE WHEN {points} IS NULL OR {points} = 0 OR {total} = 0 THEN 0 ELSE {sign} * ({part}) END"


LINE_SUMS = ("sales_in_category", "sales_in_source", "lines", "pieces", "gross", "value", "fund", "maker", "running",
             "fund_points", "returns_in_category", "returns_in_source", "refund_value", "refund_fund", "refund_maker",
             "refund_running", "refund_fund_points")
SALE_SUMS = ("sales", "lines", "pieces", "gross", "value", "fund", "maker", "running", "fund_points", "points",
             "returns", "refund_value", "refund_fund", "refund_maker", "refund_running", "refund_fund_points")
LINE_KEYS = ("shop", "utc_hour", "category_code", "source")
SALE_KEYS = ("shop", "utc_hour", "till", "cashier")


def _append(table: str, keys: tuple[str, ...], columns: tuple[str, ...], select: str) -> str:
    return f"INSERT INTO {table} ({', '.join(keys + columns)}) {select}"


def outbox(engine: str) -> list[str]:
    """The outbox tables, the triggers (made again) that append to them, their index and guards."""
    big = "BIGINT" if engine == "postgres" else "INTEGER"
    serial = "BIGSERIAL PRIMARY KEY" if engine == "postgres" else "INTEGER PRIMARY KEY AUTOINCREMENT"

    def hour(t: str) -> str:
        if engine == "postgres":
            return f"to_char({t}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
        return f"substr({t}.created_at, 1, 13)"

    def first(table: str, link: str, same: str = "") -> str:
        return (f"CASE WHEN EXISTS (SELECT 1 FROM {table} x WHERE x.{link} = NEW.{link} AND x.id < NEW.id{same}) "
                "THEN 0 ELSE 1 END")

    points_of = "(SELECT SUM(t.amount_fen) AS fen FROM tender t WHERE t.sale = {sale} AND t.kind = 'points') p"
    sums = ", ".join(f"{c} {big} NOT NULL DEFAULT 0" for c in LINE_SUMS)
    sale_sums = ", ".join(f"{c} {big} NOT NULL DEFAULT 0" for c in SALE_SUMS)
    tables = [
        f"CREATE TABLE report_line_outbox (id {serial}, shop INTEGER NOT NULL, utc_hour VARCHAR(13) NOT NULL, "
        f"category_code VARCHAR(32) NOT NULL, source VARCHAR(16) NOT NULL, {sums})",
        f"CREATE TABLE report_sale_outbox (id {serial}, shop INTEGER NOT NULL, utc_hour VARCHAR(13) NOT NULL, "
        f"till INTEGER NOT NULL, cashier INTEGER NOT NULL, {sale_sums})",
    ]
    # what one new sale line adds (the sums of pos's first migration, appended instead of added in place)
    line_values = (f"NEW.quantity, CAST(NEW.unit_price_fen AS {big}) * NEW.quantity, NEW.value_fen, NEW.fund_fen, "
                   f"NEW.maker_fen, NEW.running_fen, {_part('NEW.fund_fen', 's.total_fen', 'p.fen', big)}")
    on_sale_line = [
        _append("report_line_outbox", LINE_KEYS, LINE_SUMS[:10],
                f"SELECT s.shop, {hour('s')}, NEW.category_code, NEW.source, "
                f"{first('sale_line', 'sale', ' AND x.category_code = NEW.category_code')}, "
                f"{first('sale_line', 'sale', ' AND x.source = NEW.source')}, 1, {line_values} "
                f"FROM sale s CROSS JOIN {points_of.format(sale='NEW.sale')} WHERE s.id = NEW.sale"),
        _append("report_sale_outbox", SALE_KEYS, SALE_SUMS[:9],
                f"SELECT s.shop, {hour('s')}, s.till, s.cashier, {first('sale_line', 'sale')}, 1, {line_values} "
                f"FROM sale s CROSS JOIN {points_of.format(sale='NEW.sale')} WHERE s.id = NEW.sale"),
    ]
    delta = (f"{_part('l.fund_fen', 's.total_fen', 'p.fen', big)} - "
             f"{_part('l.fund_fen', 's.total_fen', 'p.fen - NEW.amount_fen', big)}")
    on_points_tender = [
        _append("report_line_outbox", LINE_KEYS, ("fund_points",),
                f"SELECT s.shop, {hour('s')}, l.category_code, l.source, SUM({delta}) "
                f"FROM sale s JOIN sale_line l ON l.sale = s.id CROSS JOIN {points_of.format(sale='NEW.sale')} "
                f"WHERE s.id = NEW.sale GROUP BY s.shop, {hour('s')}, l.category_code, l.source"),
        _append("report_sale_outbox", SALE_KEYS, ("fund_points", "points"),
                f"SELECT s.shop, {hour('s')}, s.till, s.cashier, COALESCE(SUM({delta}), 0), MAX(NEW.points) "
                f"FROM sale s LEFT JOIN sale_line l ON l.sale = s.id CROSS JOIN {points_of.format(sale='NEW.sale')} "
                f"WHERE s.id = NEW.sale GROUP BY s.shop, {hour('s')}, s.till, s.cashier"),
    ]
    same_line = ("SELECT 1 FROM return_line x JOIN sale_line y ON y.id = x.sale_line "
                 "WHERE x.\"return\" = NEW.\"return\" AND x.id < NEW.id AND y.{column} = l.{column}")
    sale_of_return = "(SELECT z.sale FROM sale_return z WHERE z.id = NEW.\"return\")"
    refund_values = (f"NEW.value_fen, NEW.fund_fen, NEW.maker_fen, NEW.running_fen, "
                     f"{_part('NEW.fund_fen', 's.total_fen', 'p.fen', big)}")
    returned_from = (f"FROM sale_return r JOIN sale_line l ON l.id = NEW.sale_line JOIN sale s ON s.id = r.sale "
                     f"CROSS JOIN {points_of.format(sale=sale_of_return)} WHERE r.id = NEW.\"return\"")
    on_return_line = [
        _append("report_line_outbox", LINE_KEYS, LINE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, l.category_code, l.source, "
                f"CASE WHEN EXISTS ({same_line.format(column='category_code')}) THEN 0 ELSE 1 END, "
                f"CASE WHEN EXISTS ({same_line.format(column='source')}) THEN 0 ELSE 1 END, {refund_values} "
                f"{returned_from}"),
        _append("report_sale_outbox", SALE_KEYS, SALE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, r.till, r.cashier, "
                f"CASE WHEN EXISTS (SELECT 1 FROM return_line x WHERE x.\"return\" = NEW.\"return\" AND x.id < NEW.id) "
                f"THEN 0 ELSE 1 END, {refund_values} {returned_from}"),
    ]
    triggers = [("sale_line", "", on_sale_line), ("tender", "NEW.kind = 'points'", on_points_tender),
                ("return_line", "", on_return_line)]
    made = []
    for table, when, body in triggers:
        if engine == "postgres":  # the triggers stay; the functions they run are replaced
            made.append(f"CREATE OR REPLACE FUNCTION aixin_report_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                        "BEGIN " + "; ".join(body) + "; RETURN NULL; END $$")
        else:
            made.append(f"DROP TRIGGER {table}_report")
            made.append(f"CREATE TRIGGER {table}_report AFTER INSERT ON {table} "
                        + (f"WHEN {when} " if when else "") + "BEGIN " + "; ".join(body) + "; END")
    indexes = [
        "CREATE INDEX report_line_outbox_shop_hour ON report_line_outbox (shop, utc_hour)",
        "CREATE INDEX report_sale_outbox_shop_hour ON report_sale_outbox (shop, utc_hour)",
    ]
    guards = []
    for table in ("report_line_outbox", "report_sale_outbox"):
        if engine == "postgres":
            guards += [f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                       "EXECUTE FUNCTION aixin_refused('is folded as written')",
                       f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
                       "EXECUTE FUNCTION aixin_refused('is folded as written')"]
        else:
            guards.append(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                          f"BEGIN SELECT RAISE(ABORT, '{table} is folded as written: UPDATE refused'); END")
    return tables + made + indexes + guards


class SQLOnly(MigrationManager):
    """Only SQL written by hand, in one transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in outbox("sqlite" if engine.engine_type == "sqlite" else "postgres"):
                    await engine.run_ddl(statement)


async def forwards():
    return SQLOnly(migration_id=ID, app_name="pos", description=DESCRIPTION)
