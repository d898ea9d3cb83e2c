"""The reports' hourly summaries, kept by triggers (written by hand: the same intent in each engine's SQL).

A year of a busy shop is a million sale lines; summing them for every report takes seconds. Two tables hold
the same sums by UTC hour, added to by triggers as each sale line, points tender and returned line is written
(in the same transaction, so they can never disagree with the sales): report_line_hour by category and goods
source, report_sale_hour by till and cashier. A report of any period whose day boundaries fall on whole UTC
hours (every zone with a whole-hour offset, e.g. Asia/Shanghai) sums at most a few rows per hour; pos.reports
falls back to the lines for other zones. `verify()` checks the summaries against the sales.

Counts: a sale counts once per category (its first line of that category), once per goods source, once per
till and cashier row (its first line); a return likewise. The fund's share paid in points is the rule of
pos.reports.fund_in_points (allocate between cash and points), added when the points tender is written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the reports' hourly summaries, kept by triggers; indexes for reports and the journal"


def _part(fund: str, total: str, points: str, big: str) -> str:
    """allocate(fund, [cash, points])[1] in SQL (a frozen copy of pos.reports._points_part_sql)."""
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


def _upsert(table: str, keys: tuple[str, ...], columns: tuple[str, ...], select: str) -> str:
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return (f"INSERT INTO {table} ({', '.join(keys + columns)}) {select} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}")


LINE_KEYS = ("shop", "utc_hour", "category_code", "source")
SALE_KEYS = ("shop", "utc_hour", "till", "cashier")


def statements(engine: str) -> list[str]:
    big = "BIGINT" if engine == "postgres" else "INTEGER"

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
        f"CREATE TABLE report_line_hour (shop INTEGER NOT NULL, utc_hour VARCHAR(13) NOT NULL, "
        f"category_code VARCHAR(32) NOT NULL, source VARCHAR(16) NOT NULL, {sums}, "
        f"PRIMARY KEY (shop, utc_hour, category_code, source))",
        f"CREATE TABLE report_sale_hour (shop INTEGER NOT NULL, utc_hour VARCHAR(13) NOT NULL, till INTEGER NOT NULL, "
        f"cashier INTEGER NOT NULL, {sale_sums}, PRIMARY KEY (shop, utc_hour, till, cashier))",
    ]
    # what one new sale line adds
    line_values = (f"NEW.quantity, CAST(NEW.unit_price_fen AS {big}) * NEW.quantity, NEW.value_fen, NEW.fund_fen, "
                   f"NEW.maker_fen, NEW.running_fen, {_part('NEW.fund_fen', 's.total_fen', 'p.fen', big)}")
    on_sale_line = [
        _upsert("report_line_hour", LINE_KEYS, LINE_SUMS[:10],
                f"SELECT s.shop, {hour('s')}, NEW.category_code, NEW.source, "
                f"{first('sale_line', 'sale', ' AND x.category_code = NEW.category_code')}, "
                f"{first('sale_line', 'sale', ' AND x.source = NEW.source')}, 1, {line_values} "
                f"FROM sale s CROSS JOIN {points_of.format(sale='NEW.sale')} WHERE s.id = NEW.sale"),
        _upsert("report_sale_hour", SALE_KEYS, SALE_SUMS[:9],
                f"SELECT s.shop, {hour('s')}, s.till, s.cashier, {first('sale_line', 'sale')}, 1, {line_values} "
                f"FROM sale s CROSS JOIN {points_of.format(sale='NEW.sale')} WHERE s.id = NEW.sale"),
    ]
    # a points tender: the fund's share in points of each line, from what it was before this tender to after
    delta = (f"{_part('l.fund_fen', 's.total_fen', 'p.fen', big)} - "
             f"{_part('l.fund_fen', 's.total_fen', 'p.fen - NEW.amount_fen', big)}")
    on_points_tender = [
        _upsert("report_line_hour", LINE_KEYS, ("fund_points",),
                f"SELECT s.shop, {hour('s')}, l.category_code, l.source, SUM({delta}) "
                f"FROM sale s JOIN sale_line l ON l.sale = s.id CROSS JOIN {points_of.format(sale='NEW.sale')} "
                f"WHERE s.id = NEW.sale GROUP BY s.shop, {hour('s')}, l.category_code, l.source"),
        _upsert("report_sale_hour", SALE_KEYS, ("fund_points", "points"),
                f"SELECT s.shop, {hour('s')}, s.till, s.cashier, COALESCE(SUM({delta}), 0), MAX(NEW.points) "
                f"FROM sale s LEFT JOIN sale_line l ON l.sale = s.id CROSS JOIN {points_of.format(sale='NEW.sale')} "
                f"WHERE s.id = NEW.sale GROUP BY s.shop, {hour('s')}, s.till, s.cashier"),
    ]
    # a returned line: the refund, at the hour, till and cashier of the return
    same_line = ("SELECT 1 FROM return_line x JOIN sale_line y ON y.id = x.sale_line "
                 "WHERE x.\"return\" = NEW.\"return\" AND x.id < NEW.id AND y.{column} = l.{column}")
    sale_of_return = "(SELECT z.sale FROM sale_return z WHERE z.id = NEW.\"return\")"
    refund_values = (f"NEW.value_fen, NEW.fund_fen, NEW.maker_fen, NEW.running_fen, "
                     f"{_part('NEW.fund_fen', 's.total_fen', 'p.fen', big)}")
    returned_from = (f"FROM sale_return r JOIN sale_line l ON l.id = NEW.sale_line JOIN sale s ON s.id = r.sale "
                     f"CROSS JOIN {points_of.format(sale=sale_of_return)} WHERE r.id = NEW.\"return\"")
    on_return_line = [
        _upsert("report_line_hour", LINE_KEYS, LINE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, l.category_code, l.source, "
                f"CASE WHEN EXISTS ({same_line.format(column='category_code')}) THEN 0 ELSE 1 END, "
                f"CASE WHEN EXISTS ({same_line.format(column='source')}) THEN 0 ELSE 1 END, {refund_values} "
                f"{returned_from}"),
        _upsert("report_sale_hour", SALE_KEYS, SALE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, r.till, r.cashier, "
                f"CASE WHEN EXISTS (SELECT 1 FROM return_line x WHERE x.\"return\" = NEW.\"return\" AND x.id < NEW.id) "
                f"THEN 0 ELSE 1 END, {refund_values} {returned_from}"),
    ]
    # what is already in the books (a shop upgrading)
    points_by_sale = ("(SELECT t.sale, SUM(t.amount_fen) AS fen, SUM(t.points) AS points FROM tender t "
                      "WHERE t.kind = 'points' GROUP BY t.sale) p ON p.sale = s.id")
    old_lines = (f"SUM(l.quantity), SUM(CAST(l.unit_price_fen AS {big}) * l.quantity), SUM(l.value_fen), "
                 f"SUM(l.fund_fen), SUM(l.maker_fen), SUM(l.running_fen), "
                 f"SUM({_part('l.fund_fen', 's.total_fen', 'p.fen', big)})")
    # each line numbered within its sale, its category and its goods source (1: the first), as the triggers count
    numbered = ("(SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.sale ORDER BY x.id) AS nth, "
                "ROW_NUMBER() OVER (PARTITION BY x.sale, x.category_code ORDER BY x.id) AS nth_in_category, "
                "ROW_NUMBER() OVER (PARTITION BY x.sale, x.source ORDER BY x.id) AS nth_in_source FROM sale_line x) l")
    backfill = [
        f"INSERT INTO report_line_hour ({', '.join(LINE_KEYS + LINE_SUMS[:10])}) "
        f"SELECT s.shop, {hour('s')}, l.category_code, l.source, "
        f"SUM(CASE WHEN l.nth_in_category = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN l.nth_in_source = 1 THEN 1 ELSE 0 END), "
        f"COUNT(*), {old_lines} FROM sale s JOIN {numbered} ON l.sale = s.id LEFT JOIN {points_by_sale} "
        f"GROUP BY s.shop, {hour('s')}, l.category_code, l.source",
        f"INSERT INTO report_sale_hour ({', '.join(SALE_KEYS + SALE_SUMS[:10])}) "
        f"SELECT s.shop, {hour('s')}, s.till, s.cashier, SUM(CASE WHEN l.nth = 1 THEN 1 ELSE 0 END), "
        f"COUNT(*), {old_lines}, COALESCE(SUM(CASE WHEN l.nth = 1 THEN p.points ELSE 0 END), 0) "
        f"FROM sale s JOIN {numbered} ON l.sale = s.id LEFT JOIN {points_by_sale} "
        f"GROUP BY s.shop, {hour('s')}, s.till, s.cashier",
    ]
    old_returns = (f"SUM(rl.value_fen), SUM(rl.fund_fen), SUM(rl.maker_fen), SUM(rl.running_fen), "
                   f"SUM({_part('rl.fund_fen', 's.total_fen', 'p.fen', big)})")
    returned = ("FROM sale_return r JOIN (SELECT x.*, y.category_code, y.source, "
                "ROW_NUMBER() OVER (PARTITION BY x.\"return\", y.category_code ORDER BY x.id) AS nth_in_category, "
                "ROW_NUMBER() OVER (PARTITION BY x.\"return\", y.source ORDER BY x.id) AS nth_in_source "
                "FROM return_line x JOIN sale_line y ON y.id = x.sale_line) rl ON rl.\"return\" = r.id "
                f"JOIN sale s ON s.id = r.sale LEFT JOIN {points_by_sale} WHERE 1 = 1")
    backfill += [
        _upsert("report_line_hour", LINE_KEYS, LINE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, rl.category_code, rl.source, "
                f"SUM(CASE WHEN rl.nth_in_category = 1 THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN rl.nth_in_source = 1 THEN 1 ELSE 0 END), {old_returns} "
                f"{returned} GROUP BY r.shop, {hour('r')}, rl.category_code, rl.source"),
        _upsert("report_sale_hour", SALE_KEYS, SALE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, r.till, r.cashier, COUNT(DISTINCT r.id), {old_returns} "
                f"{returned} GROUP BY r.shop, {hour('r')}, r.till, r.cashier"),
    ]
    triggers = [("sale_line", "", on_sale_line), ("tender", "NEW.kind = 'points'", on_points_tender),
                ("return_line", "", on_return_line)]
    made = []
    for table, when, body in triggers:
        if engine == "postgres":
            made.append(f"CREATE FUNCTION aixin_report_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "; ".join(body) + "; RETURN NULL; END $$")
            made.append(f"CREATE TRIGGER {table}_report AFTER INSERT ON {table} FOR EACH ROW "
                        + (f"WHEN ({when}) " if when else "") + f"EXECUTE FUNCTION aixin_report_{table}()")
        else:
            made.append(f"CREATE TRIGGER {table}_report AFTER INSERT ON {table} "
                        + (f"WHEN {when} " if when else "") + "BEGIN " + "; ".join(body) + "; END")
    indexes = [
        "CREATE INDEX report_sale_hour_shop_hour ON report_sale_hour (shop, utc_hour)",
        "CREATE INDEX report_line_hour_shop_hour ON report_line_hour (shop, utc_hour)",
        # the journal's export reads a period's transactions (their entries: ledger_entry_txn)
        "CREATE INDEX ledger_txn_shop_created_at ON ledger_txn (shop, created_at)",
        # the lines report's fallback, and the fund's points: a sale's points tender
        "CREATE INDEX sale_return_shop_created_at ON sale_return (shop, created_at)",
    ]
    return tables + backfill + made + indexes


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pos", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in statements("postgres" if engine.engine_type == "postgres" else "sqlite"):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
