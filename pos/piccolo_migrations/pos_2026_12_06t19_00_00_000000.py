"""What goes out, as it stands: tills and their sessions, sales and their lines and tenders, overrides, parked carts,
returns, their lines and refunds; and the reports' hourly summaries.

One migration builds it (issue 17: it replaces the chain that grew it, which no shop had run). The tables are
Piccolo's; after them, SQL written by hand for each engine:
- till codes and sale and return idempotency keys unique per shop; one open session per till (a partial unique index);
- the sale, its lines and tenders, the override log, returns, their lines and refunds are append-only; a till session
  is kept as it was once closed (closing it is its one change); on PostgreSQL no TRUNCATE passes any of them;
- the reports' hourly summaries, kept by triggers. A year of a busy shop is a million sale lines; summing them for
  every report takes seconds. Two tables hold the same sums by UTC hour, added to by triggers as each sale line,
  points tender and returned line is written (in the same transaction, so they can never disagree with the sales):
  report_line_hour by category and goods source, report_sale_hour by till and cashier. A report of any period whose
  day boundaries fall on whole UTC hours (every zone with a whole-hour offset, e.g. Asia/Shanghai) sums at most a few
  rows per hour; pos.reports falls back to the lines for other zones. `verify()` checks the summaries against the
  sales. Counts: a sale counts once per category (its first line of that category), once per goods source, once per
  till and cashier row (its first line); a return likewise. The fund's share paid in points is the rule of
  pos.reports.fund_in_points (allocate between cash and points), added when the points tender is written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Integer, JSON, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tills and sessions, sales, tenders, overrides, parked carts, returns; the books kept; report summaries"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class Item(Table, tablename="item", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Member(Table, tablename="member", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Sale(Table, tablename="sale", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class SaleLine(Table, tablename="sale_line", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class SaleReturn(Table, tablename="sale_return", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Till(Table, tablename="till", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class TillSession(Table, tablename="till_session", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table] | str, **given) -> dict:
    return _params(references=table, on_delete=given.pop("on_delete", OnDelete.restrict), on_update=OnUpdate.cascade,
                   target_column=None, **given)


# Each table's columns, in the order the chain it replaces made them; params as Piccolo's own writes them.
TABLES = {
    ("Till", "till"): (
        ("shop", ForeignKey, _references(Shop)),
        ("code", Varchar, _params(length=16, default="")),
        ("name", Varchar, _params(length=100, default="")),
    ),
    ("TillSession", "till_session"): (
        ("shop", ForeignKey, _references(Shop)),
        ("till", ForeignKey, _references(Till, index=True)),
        ("opened_by", ForeignKey, _references(Staff)),
        ("opened_at", Timestamptz, _params(default=TimestamptzNow())),
        ("float_fen", Integer, _params(default=0)),
        ("ledger_mark", Integer, _params(default=0)),
        ("closed_by", ForeignKey, _references(Staff, null=True)),
        ("closed_at", Timestamptz, _params(default=None, null=True)),
        ("counted_fen", Integer, _params(default=None, null=True)),
        ("expected_fen", Integer, _params(default=None, null=True)),
        ("over_short_fen", Integer, _params(default=None, null=True)),
    ),
    ("Sale", "sale"): (
        ("shop", ForeignKey, _references(Shop)),
        ("till", ForeignKey, _references(Till)),
        ("cashier", ForeignKey, _references(Staff)),
        ("idempotency_key", Varchar, _params(length=64, default="")),
        ("cart_digest", Varchar, _params(length=64, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
        ("total_fen", Integer, _params(default=0)),
        ("fund_fen", Integer, _params(default=0)),
        ("maker_fen", Integer, _params(default=0)),
        ("running_fen", Integer, _params(default=0)),
        ("session", ForeignKey, _references(TillSession, null=True)),
    ),
    ("SaleLine", "sale_line"): (
        ("sale", ForeignKey, _references(Sale, index=True)),
        ("item", ForeignKey, _references(Item)),
        ("barcode", Varchar, _params(length=13, default="")),
        ("name", Varchar, _params(length=200, default="")),
        ("category_code", Varchar, _params(length=32, default="")),
        ("source", Varchar, _params(length=16, default="")),
        ("unit_price_fen", Integer, _params(default=0)),
        ("quantity", Integer, _params(default=0)),
        ("value_fen", Integer, _params(default=0)),
        ("rule_fund", Integer, _params(default=0)),
        ("rule_maker", Integer, _params(default=0)),
        ("fund_fen", Integer, _params(default=0)),
        ("maker_fen", Integer, _params(default=0)),
        ("running_fen", Integer, _params(default=0)),
        ("maker_id", Integer, _params(default=None, null=True)),
        ("oversold", Boolean, _params(default=False)),
        ("list_price_fen", Integer, _params(default=None, null=True)),
        ("markdown_percent", Integer, _params(default=0)),
        ("discount_fen", Integer, _params(default=0)),
    ),
    ("Tender", "tender"): (
        ("sale", ForeignKey, _references(Sale, index=True)),
        ("kind", Varchar, _params(length=16, default="")),
        ("amount_fen", Integer, _params(default=0)),
        ("given_fen", Integer, _params(default=0)),
        ("change_fen", Integer, _params(default=0)),
        ("household_ref", Varchar, _params(length=16, default=None, null=True)),
        ("member", ForeignKey, _references(Member, null=True)),
        ("points", Integer, _params(default=0)),
        ("points_left", Integer, _params(default=None, null=True)),
    ),
    ("Override", "override"): (
        ("shop", ForeignKey, _references(Shop)),
        ("sale", ForeignKey, _references(Sale, index=True)),
        ("line", ForeignKey, _references(SaleLine, null=True)),
        ("kind", Varchar, _params(length=16, default="")),
        ("before_fen", Integer, _params(default=0)),
        ("after_fen", Integer, _params(default=0)),
        ("reason", Varchar, _params(length=200, default="")),
        ("cashier", ForeignKey, _references(Staff)),
        ("approved_by", ForeignKey, _references(Staff, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("ParkedCart", "parked_cart"): (
        ("shop", ForeignKey, _references(Shop, index=True)),
        ("till", ForeignKey, _references(Till)),
        ("cashier", ForeignKey, _references(Staff)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("lines", JSON, _params(default="{}")),
        ("note", Varchar, _params(length=100, default="")),
    ),
    ("SaleReturn", "sale_return"): (
        ("shop", ForeignKey, _references(Shop)),
        ("sale", ForeignKey, _references(Sale, index=True)),
        ("till", ForeignKey, _references(Till)),
        ("session", ForeignKey, _references(TillSession, index=True)),
        ("cashier", ForeignKey, _references(Staff)),
        ("approved_by", ForeignKey, _references(Staff, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("idempotency_key", Varchar, _params(length=64, default="")),
        ("request_digest", Varchar, _params(length=64, default="")),
        ("total_fen", Integer, _params(default=0)),
        ("fund_fen", Integer, _params(default=0)),
        ("maker_fen", Integer, _params(default=0)),
        ("running_fen", Integer, _params(default=0)),
        ("reason", Varchar, _params(length=200, default="")),
    ),
    ("ReturnLine", "return_line"): (
        ("sale_return", ForeignKey, _references(SaleReturn, index=True, db_column_name="return")),
        ("sale_line", ForeignKey, _references(SaleLine, index=True)),
        ("quantity", Integer, _params(default=0)),
        ("value_fen", Integer, _params(default=0)),
        ("fund_fen", Integer, _params(default=0)),
        ("maker_fen", Integer, _params(default=0)),
        ("running_fen", Integer, _params(default=0)),
        ("restock", Boolean, _params(default=True)),
        ("write_off_reason", Varchar, _params(length=32, default="")),
    ),
    ("Refund", "refund"): (
        ("sale_return", ForeignKey, _references(SaleReturn, index=True, db_column_name="return")),
        ("kind", Varchar, _params(length=16, default="")),
        ("amount_fen", Integer, _params(default=0)),
        ("points", Integer, _params(default=0)),
        ("member", ForeignKey, _references(Member, null=True)),
    ),
}


# Till codes and idempotency keys unique per shop; one open session per till; what the reports and the till read.
INDEXES = [
    "CREATE UNIQUE INDEX till_shop_code ON till (shop, code)",
    "CREATE UNIQUE INDEX till_session_one_open ON till_session (till) WHERE closed_at IS NULL",
    "CREATE UNIQUE INDEX sale_shop_idempotency_key ON sale (shop, idempotency_key)",
    "CREATE INDEX sale_shop_created_at ON sale (shop, created_at)",
    "CREATE INDEX sale_session ON sale (session)",
    "CREATE UNIQUE INDEX sale_return_shop_idempotency_key ON sale_return (shop, idempotency_key)",
    # the lines report's fallback, and the fund's points: a sale's points tender
    "CREATE INDEX sale_return_shop_created_at ON sale_return (shop, created_at)",
]

APPEND_ONLY = ("sale", "sale_line", "tender", "override", "sale_return", "return_line", "refund")
# Every column of till_session; closing an open session sets the last five, and nothing else ever changes.
SESSION_COLUMNS = ("id", "shop", "till", "opened_by", "opened_at", "float_fen", "ledger_mark",
                   "closed_by", "closed_at", "counted_fen", "expected_fen", "over_short_fen")
CLOSING = ("closed_by", "closed_at", "counted_fen", "expected_fen", "over_short_fen")


def session_refused(engine: str) -> str:
    """When an UPDATE of a till session is refused: once it is closed, or when it changes more than its close."""
    same = "IS" if engine == "sqlite" else "IS NOT DISTINCT FROM"
    kept = " AND ".join(f'OLD."{column}" {same} NEW."{column}"' for column in SESSION_COLUMNS if column not in CLOSING)
    return f"(OLD.closed_at IS NOT NULL OR NOT ({kept}))"


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


def _upsert(table: str, keys: tuple[str, ...], columns: tuple[str, ...], select: str) -> str:
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return (f"INSERT INTO {table} ({', '.join(keys + columns)}) {select} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}")


def summaries(engine: str) -> list[str]:
    """The reports' hourly summaries: their tables, the triggers that add to them, their indexes."""
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
    ]
    return tables + made + indexes


SQLITE = [
    *INDEXES,
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in APPEND_ONLY
        for op in ("UPDATE", "DELETE")
    ),
    "CREATE TRIGGER till_session_no_update BEFORE UPDATE ON till_session FOR EACH ROW "
    f"WHEN {session_refused('sqlite')} "
    "BEGIN SELECT RAISE(ABORT, 'till_session is in the books once closed: UPDATE refused'); END",
    "CREATE TRIGGER till_session_no_delete BEFORE DELETE ON till_session "
    "BEGIN SELECT RAISE(ABORT, 'till_session is in the books: DELETE refused'); END",
    *summaries("sqlite"),
]

POSTGRES = [
    *INDEXES,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
    ),
    f"CREATE TRIGGER till_session_no_update BEFORE UPDATE ON till_session FOR EACH ROW "
    f"WHEN {session_refused('postgres')} EXECUTE FUNCTION aixin_refused('is in the books once closed')",
    "CREATE TRIGGER till_session_no_delete BEFORE DELETE ON till_session FOR EACH ROW "
    "EXECUTE FUNCTION aixin_refused('is in the books')",
    "CREATE TRIGGER till_session_no_truncate BEFORE TRUNCATE ON till_session FOR EACH STATEMENT "
    "EXECUTE FUNCTION aixin_refused('is in the books')",
    *summaries("postgres"),
]


class TablesThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its tables (piccolo-orm/piccolo#541); this SQL needs the tables,
    so it runs after them, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
                    await engine.run_ddl(statement)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="pos", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=params["db_column_name"] or name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
