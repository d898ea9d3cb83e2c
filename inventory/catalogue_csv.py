"""The catalogue as a CSV file, both ways: exported for a spreadsheet, imported back checked whole.

The file is UTF-8 with a BOM (so Excel and WPS read the Chinese), `\\r\\n` line ends, a header row,
then one item a line. Columns, in any order, in English or in Chinese:

    barcode 条码      empty: a new item with the shop's next in-store code
    name 名称         1 to 200 characters
    category 类别     a category's code
    price 价格        yuan, "12.50"
    quantity 数量     pieces coming in with this import (an intake movement); empty or 0: none
    condition 成色    new | like-new | good | fair (全新 | 九成新 | 良好 | 一般), for a new item
    location 位置     where it sits, up to 32 characters
    low_stock_at 低库存  a whole number, or empty
    expires_on 到期日    2026-12-31 (or 2026/12/31, as Excel writes it back), or empty
    active 在售       1/0, true/false, 是/否; empty: as it is (a new item is on sale)
    on_hand 库存      what the export says is on the shelf: read by people, ignored by the import

barcode, name, category and price must be there; an optional column that is missing leaves
that detail of an existing item as it is. A row whose barcode is in the catalogue updates that
item (a price change is kept as a PriceChange, "CSV import"); any other row creates an item.
Stock only ever comes in as intake movements of `quantity`, so an export edited in Excel and
imported back never doubles the stock.

Excel turns a 13-digit barcode into 6.90123E+12 and drops leading zeros when it saves: the export
writes each barcode as ="6901234500011" (a formula Excel shows as text, saved back as plain
digits) and the import accepts both. Names and locations that begin with = + - @ are written
with a leading ' so a spreadsheet never runs them as a formula; the import takes it off again.

parse_catalogue() reads the whole file and reports every bad row (line as the spreadsheet shows
it: the header is line 1), or nothing is imported; import_catalogue() writes the rows in one
transaction, a chunk of rows per few statements, telling its progress between chunks.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from inventory.barcodes import normalize_barcode
from inventory.catalogue import MAX_PRICE_FEN, MAX_QUANTITY, Condition, categories_of, next_in_store_codes
from inventory.errors import InventoryError
from inventory.search import pinyin_keys
from inventory.stock import Movement, MovementKind, record_movements
from inventory.tables import Item, PriceChange
from shop import sql
from shop.database import as_date, run, writing
from shop.errors import DomainError
from shop.money import parse_yuan
from shop.spreadsheet import BOM, spreadsheet_text, unguarded

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_PROBLEMS = 1_000  # reported; more are counted, not listed
CHUNK = 500  # rows per few statements (well under both engines' limit of parameters per statement)
MAX_NAME = 200
MAX_LOCATION = 32
REASON = "CSV import"


class CatalogueCsvError(StrEnum):
    # the whole file
    TOO_LARGE = "csv-too-large"
    NOT_UTF8 = "csv-not-utf8"
    UNREADABLE = "csv-unreadable"
    NO_HEADER = "csv-no-header"
    NO_ROWS = "csv-no-rows"
    TOO_MANY_ROWS = "csv-too-many-rows"
    BAD_HEADER = "csv-bad-header"  # the header has problems (listed)
    BAD_ROWS = "csv-bad-rows"  # rows have problems (listed)
    # the header
    UNKNOWN_COLUMN = "csv-unknown-column"
    MISSING_COLUMN = "csv-missing-column"
    DUPLICATE_COLUMN = "csv-duplicate-column"
    # a row (besides InventoryError's bad-check-digit, bad-price, bad-name, bad-location, bad-level)
    EXTRA_CELLS = "csv-extra-cells"
    BAD_BARCODE = "csv-bad-barcode"
    BARCODE_AS_NUMBER = "csv-barcode-as-number"
    FOREIGN_IN_STORE_CODE = "csv-foreign-in-store-code"
    DUPLICATE_BARCODE = "csv-duplicate-barcode"
    MISSING_VALUE = "csv-missing-value"
    UNKNOWN_CATEGORY = "csv-unknown-category"
    HANDICRAFT_NEEDS_MAKER = "csv-handicraft-needs-maker"
    BAD_PRICE = "csv-bad-price"
    BAD_QUANTITY = "csv-bad-quantity"
    BAD_CONDITION = "csv-bad-condition"
    BAD_DATE = "csv-bad-date"
    BAD_ACTIVE = "csv-bad-active"
    # an import under way (the web layer keeps them)
    NO_FILE = "csv-no-file"
    IMPORT_RUNNING = "csv-import-running"
    UNKNOWN_IMPORT = "csv-unknown-import"


COLUMNS = ("barcode", "name", "category", "price", "quantity", "condition", "location", "low_stock_at",
           "expires_on", "active", "on_hand")
REQUIRED = ("barcode", "name", "category", "price")
EXPORTED = ("barcode", "name", "category", "price", "on_hand", "condition", "location", "low_stock_at",
            "expires_on", "active")
CHINESE = {"条码": "barcode", "名称": "name", "类别": "category", "价格": "price", "数量": "quantity",
           "成色": "condition", "位置": "location", "低库存": "low_stock_at", "到期日": "expires_on",
           "在售": "active", "库存": "on_hand"}
_KEPT_WHEN_ABSENT = ("location", "low_stock_at", "expires_on")  # optional details an update leaves alone
_CONDITIONS = {**{c.value: c.value for c in Condition}, "like new": "like-new", "全新": "new", "九成新": "like-new",
               "良好": "good", "一般": "fair"}
_YES = {"1", "true", "yes", "y", "是", "在售"}
_NO = {"0", "false", "no", "n", "否", "停售"}
_FORMULA = re.compile(r'^="(.*)"$')  # ="6901234500011": Excel's way of keeping digits as text
_AS_NUMBER = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")  # 6.90123E+12: Excel made the barcode a number
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_WHOLE = re.compile(r"^\d{1,6}$")


@dataclass(frozen=True)
class ImportRow:
    """One checked line of the file, as it will be written."""

    line: int
    barcode: str  # normalized; "": a new item with the shop's next in-store code
    name: str
    category: str
    category_id: int
    price_fen: int
    quantity: int = 0  # pieces coming in (an intake movement); 0: none
    condition: str = ""  # a Condition, for a new item; "": not graded
    location: str = ""
    low_stock_at: int | None = None
    expires_on: date | None = None
    active: bool | None = None  # None: as it is (a new item is on sale)
    keep: frozenset[str] = frozenset()  # details whose column the file does not have: an update leaves them


@dataclass(frozen=True)
class Problem:
    line: int  # as a spreadsheet numbers it: the header is line 1
    column: str  # the column's heading as the file has it ("" for the whole line)
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class CatalogueRejected(DomainError):
    """The file has problems (every one found, up to MAX_PROBLEMS, in `problems`); nothing was imported."""

    def __init__(self, code: CatalogueCsvError, problems: list[Problem], count: int) -> None:
        super().__init__(code, count=count, shown=len(problems))
        self.problems = problems
        self.count = count


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created: int
    updated: int  # existing items whose details or price changed
    unchanged: int  # existing items the file left as they were (pieces may still have come in)
    price_changes: int
    pieces_in: int
    in_store_codes: int  # new items given the shop's own code: each piece needs a label


# -- reading the file ---------------------------------------------------------------------------


def _text_of(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DomainError(CatalogueCsvError.TOO_LARGE, maximum_mb=MAX_BYTES // (1024 * 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(CatalogueCsvError.NOT_UTF8) from None


def _records(text: str) -> list[list[str]]:
    """The file's lines as lists of cells; record i is line i + 1 as a spreadsheet shows it."""
    first = text.partition("\n")[0]
    delimiter = next((d for d in (",", "\t", ";") if d in first), ",")  # Excel saves ; or tabs in some set-ups
    records: list[list[str]] = []
    filled = 0  # lines with something in them, the header's included
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            records.append(record)
            if any(cell.strip() for cell in record):
                filled += 1
                if filled > MAX_ROWS + 1:
                    raise DomainError(CatalogueCsvError.TOO_MANY_ROWS, maximum=MAX_ROWS)
    except csv.Error:
        raise DomainError(CatalogueCsvError.UNREADABLE, line=len(records) + 1) from None
    return records


def _column_of(heading: str) -> str | None:
    text = heading.strip().lstrip(BOM)  # a second BOM, from a tool that added its own
    if text in CHINESE:
        return CHINESE[text]
    key = re.sub(r"[\s-]+", "_", text.lower())
    return key if key in COLUMNS else None


def _header(record: list[str]) -> dict[str, int]:
    """column → its position; CatalogueRejected listing every unknown, repeated or missing column."""
    positions: dict[str, int] = {}
    problems = []
    for index, heading in enumerate(record):
        if not heading.strip():
            continue  # an empty heading (a spreadsheet's trailing comma): its cells must be empty
        column = _column_of(heading)
        if column is None:
            problems.append(Problem(1, heading.strip(), CatalogueCsvError.UNKNOWN_COLUMN,
                                    {"column": heading.strip()[:40], "columns": ", ".join(EXPORTED)}))
        elif column in positions:
            problems.append(Problem(1, heading.strip(), CatalogueCsvError.DUPLICATE_COLUMN,
                                    {"column": heading.strip()[:40]}))
        else:
            positions[column] = index
    problems += [Problem(1, column, CatalogueCsvError.MISSING_COLUMN, {"column": column})
                 for column in REQUIRED if column not in positions]
    if problems:
        raise CatalogueRejected(CatalogueCsvError.BAD_HEADER, problems, len(problems))
    return positions


@dataclass
class _Checking:
    """What checking the rows needs to know, and what it found."""

    categories: dict[str, Any]  # code → CategoryInfo
    headings: list[str]
    positions: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    first_line_of: dict[str, int] = field(default_factory=dict)  # barcode → the line it first came on

    def problem(self, line: int, column: str, code: str, **params: Any) -> None:
        heading = self.headings[self.positions[column]].strip() if column in self.positions else column
        self.problems.append(Problem(line, heading, str(code), params))


def _category(check: _Checking, text: str):
    found = check.categories.get(text)
    if found is None:
        folded = {code.casefold(): c for code, c in check.categories.items()}
        found = folded.get(text.casefold())
    return found


def _check_row(check: _Checking, line: int, record: list[str]) -> ImportRow | None:
    """The row as it will be written, or None after recording every problem it has."""
    before = len(check.problems)
    positions = check.positions
    used = set(positions.values())
    extra = [cell for index, cell in enumerate(record) if index not in used and cell.strip()]
    if extra:
        check.problem(line, "", CatalogueCsvError.EXTRA_CELLS, cells=len(extra), text=extra[0].strip()[:40])

    def cell(column: str) -> str:
        index = positions.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    # barcode
    barcode = cell("barcode")
    if (formula := _FORMULA.match(barcode)) is not None:
        barcode = formula.group(1).strip()
    code = ""
    if _AS_NUMBER.match(barcode):
        check.problem(line, "barcode", CatalogueCsvError.BARCODE_AS_NUMBER, barcode=barcode[:32])
    elif barcode:
        try:
            code = normalize_barcode(barcode)
        except DomainError as error:
            if error.code == InventoryError.BAD_CHECK_DIGIT:
                check.problem(line, "barcode", InventoryError.BAD_CHECK_DIGIT, barcode=error.params["barcode"])
            else:
                check.problem(line, "barcode", CatalogueCsvError.BAD_BARCODE, barcode=barcode[:32])
        if code:
            if code in check.first_line_of:
                check.problem(line, "barcode", CatalogueCsvError.DUPLICATE_BARCODE, barcode=code,
                              first_line=check.first_line_of[code])
            else:
                check.first_line_of[code] = line
    # name
    name = " ".join(unguarded(cell("name")).split())
    if not 1 <= len(name) <= MAX_NAME:
        check.problem(line, "name", InventoryError.BAD_NAME, maximum=MAX_NAME)
    # category
    category_code = cell("category")
    category = None
    if not category_code:
        check.problem(line, "category", CatalogueCsvError.MISSING_VALUE)
    elif (category := _category(check, category_code)) is None:
        check.problem(line, "category", CatalogueCsvError.UNKNOWN_CATEGORY, category=category_code[:32],
                      categories=", ".join(sorted(check.categories)))
    # price
    price_text, price = cell("price"), 0
    if not price_text:
        check.problem(line, "price", CatalogueCsvError.MISSING_VALUE)
    else:
        try:
            price = parse_yuan(price_text)
        except ValueError:
            check.problem(line, "price", CatalogueCsvError.BAD_PRICE, price=price_text[:20])
        else:
            if not 1 <= price <= MAX_PRICE_FEN:
                check.problem(line, "price", InventoryError.BAD_PRICE, price=price, minimum=1, maximum=MAX_PRICE_FEN)
    # quantity
    quantity_text, quantity = cell("quantity"), 0
    if quantity_text:
        if _WHOLE.match(quantity_text) and int(quantity_text) <= MAX_QUANTITY:
            quantity = int(quantity_text)
        else:
            check.problem(line, "quantity", CatalogueCsvError.BAD_QUANTITY, quantity=quantity_text[:20],
                          maximum=MAX_QUANTITY)
    # condition
    condition_text = cell("condition")
    condition = _CONDITIONS.get(condition_text.lower(), None) if condition_text else ""
    if condition is None:
        check.problem(line, "condition", CatalogueCsvError.BAD_CONDITION, condition=condition_text[:20])
    # location
    location = " ".join(unguarded(cell("location")).split())
    if len(location) > MAX_LOCATION:
        check.problem(line, "location", InventoryError.BAD_LOCATION, maximum=MAX_LOCATION)
    # low-stock level
    level_text, level = cell("low_stock_at"), None
    if level_text:
        if _WHOLE.match(level_text) and int(level_text) <= MAX_QUANTITY:
            level = int(level_text)
        else:
            check.problem(line, "low_stock_at", InventoryError.BAD_LEVEL, level=level_text[:20], maximum=MAX_QUANTITY)
    # expiry
    expires_text, expires_on = cell("expires_on"), None
    if expires_text:
        match = _DATE.match(expires_text)
        try:
            expires_on = date(*map(int, match.groups())) if match else None
        except ValueError:
            expires_on = None
        if expires_on is None or not 2000 <= expires_on.year <= 2099:
            expires_on = None
            check.problem(line, "expires_on", CatalogueCsvError.BAD_DATE, date=expires_text[:20])
    # on sale
    active_text, active = cell("active"), None
    if active_text:
        word = active_text.lower()
        active = True if word in _YES else False if word in _NO else None
        if active is None:
            check.problem(line, "active", CatalogueCsvError.BAD_ACTIVE, active=active_text[:20])
    if len(check.problems) > before:
        return None
    return ImportRow(line=line, barcode=code, name=name, category=category.code, category_id=category.id,
                     price_fen=price, quantity=quantity, condition=condition, location=location, low_stock_at=level,
                     expires_on=expires_on, active=active,
                     keep=frozenset(column for column in _KEPT_WHEN_ABSENT if column not in positions))


def _check_file(data: bytes, categories: dict[str, Any]) -> tuple[list[ImportRow], _Checking]:
    """Everything that can be checked without the database (CPU only: it runs in a thread)."""
    records = _records(_text_of(data))
    if not records or not any(cell.strip() for cell in records[0]):
        raise DomainError(CatalogueCsvError.NO_HEADER, columns=", ".join(EXPORTED))
    check = _Checking(categories=categories, headings=records[0], positions=_header(records[0]))
    rows = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # an empty line
        if (row := _check_row(check, index, record)) is not None:
            rows.append(row)
    if not rows and not check.problems:
        raise DomainError(CatalogueCsvError.NO_ROWS)
    return rows, check


async def parse_catalogue(data: bytes, *, shop_id: int) -> list[ImportRow]:
    """The file's rows, every one checked; CatalogueRejected listing every problem (line, column, code), or a
    DomainError about the whole file (too large, not UTF-8, no header, no rows, too many rows)."""
    categories = {c.code: c for c in await categories_of(shop_id=shop_id)}
    rows, check = await asyncio.to_thread(_check_file, data, categories)
    # What needs the catalogue: a shop's own code (prefix 2) must be one of this shop's items, and new goods
    # of a handicraft category come in from their maker (so the maker is paid).
    known = set(await _items_by_barcode(shop_id, list(check.first_line_of)))
    for row in rows:
        new = not row.barcode or row.barcode not in known
        if row.barcode.startswith("2") and new:
            check.problem(row.line, "barcode", CatalogueCsvError.FOREIGN_IN_STORE_CODE, barcode=row.barcode)
        if new and categories[row.category].source == "handicraft":
            check.problem(row.line, "category", CatalogueCsvError.HANDICRAFT_NEEDS_MAKER, category=row.category)
    if check.problems:
        order = {heading.strip(): index for index, heading in enumerate(check.headings)}
        problems = sorted(check.problems, key=lambda p: (p.line, order.get(p.column, -1)))
        raise CatalogueRejected(CatalogueCsvError.BAD_ROWS, problems[:MAX_PROBLEMS], len(problems))
    return rows


# -- writing it ---------------------------------------------------------------------------------


def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


_ITEM_COLUMNS = ("id, barcode, name, category, price_fen, location, low_stock_at, expires_on, active, "
                 "search_initials, search_pinyin")


def _item_row(row: dict) -> dict:
    return {**row, "active": bool(row["active"]), "expires_on": as_date(row["expires_on"])}


async def _items_by_barcode(shop_id: int, codes: Sequence[str], columns: str = "id, barcode") -> dict[str, dict]:
    """barcode → the item's `columns`, for the codes that are in the shop's catalogue."""
    found: dict[str, dict] = {}
    for part in _chunks(codes, CHUNK):
        marks = sql.placeholders(2, len(part))
        for row in await run(Item._meta.db, f"SELECT {columns} FROM item WHERE shop = $1 AND barcode IN ({marks})",
                             shop_id, *part):
            found[row["barcode"]] = row
    return found


async def _locked_items(shop_id: int, codes: Sequence[str]) -> dict[str, dict]:
    """barcode → the item's row, inside the writing transaction. On PostgreSQL the rows stay locked until it
    ends, taken in id order as a sale takes them (so a sale and an import queue, never deadlock); SQLite's
    IMMEDIATE transaction already keeps other writers out."""
    db = Item._meta.db
    if not sql.locks_rows(db):
        return {code: _item_row(row) for code, row in (await _items_by_barcode(shop_id, codes, _ITEM_COLUMNS)).items()}
    ids = sorted(row["id"] for row in (await _items_by_barcode(shop_id, codes)).values())
    items: dict[str, dict] = {}
    for part in _chunks(ids, CHUNK):
        marks = sql.placeholders(1, len(part))
        for row in await run(db, f"SELECT {_ITEM_COLUMNS} FROM item WHERE id IN ({marks}) ORDER BY id"
                             + sql.for_update(db), *part):
            items[row["barcode"]] = _item_row(row)
    return items


def _updated(item: dict, row: ImportRow) -> dict[str, Any]:
    """The details an existing item will have after this row: the file's, except what it leaves as it is."""
    same_name = " ".join(item["name"].split()) == row.name  # spaces alone are no rename (the file's are tidied)
    return {"name": item["name"] if same_name else row.name, "category": row.category_id, "price_fen": row.price_fen,
            **{name: item[name] if name in row.keep else getattr(row, name) for name in _KEPT_WHEN_ABSENT},
            "active": item["active"] if row.active is None else row.active}


def _pinyin_of(names: set[str]) -> dict[str, tuple[str, str]]:
    return {name: pinyin_keys(name) for name in names}


async def _insert_items(items: list[dict]) -> dict[str, int]:
    """New items in one statement: barcode → id (RETURNING's order is not promised, so it names the barcode)."""
    rows = await sql.insert_rows(Item, items, returning="id, barcode")
    return {row["barcode"]: row["id"] for row in rows}


# item's columns an update writes, with their PostgreSQL types (SQLite needs no casts)
_UPDATED = (("id", "INTEGER"), ("name", "TEXT"), ("category", "INTEGER"), ("price_fen", "INTEGER"),
            ("location", "TEXT"), ("low_stock_at", "INTEGER"), ("expires_on", "DATE"), ("active", "BOOLEAN"),
            ("search_initials", "TEXT"), ("search_pinyin", "TEXT"))


async def _update_items(values: list[tuple]) -> None:
    """Many items' details in one statement: UPDATE … FROM a list of values (both engines)."""
    if not values:
        return
    db = Item._meta.db
    lines, args = [], []
    for value in values:
        marks = []
        for (_, kind), arg in zip(_UPDATED, value):
            args.append(arg)
            marks.append(sql.typed(db, f"${len(args)}", kind))
        lines.append("(" + ", ".join(marks) + ")")
    names = ", ".join(name for name, _ in _UPDATED)
    sets = ", ".join(f"{name} = v.{name}" for name, _ in _UPDATED[1:])
    await run(db, f"WITH v ({names}) AS (VALUES {', '.join(lines)}) UPDATE item SET {sets} FROM v WHERE item.id = v.id",
              *args)


ANALYZE_AFTER = 1_000  # new items after which PostgreSQL's statistics are refreshed at once


async def import_catalogue(*, shop_id: int, rows: Sequence[ImportRow], staff_id: int | None,
                           progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Write rows from parse_catalogue(): all of them in one transaction, or none.

    New items are inserted, changed ones updated, price changes kept and pieces brought in as
    intake movements, a chunk of rows at a time in a few statements; `progress(rows done, total)`
    is called before the first chunk and after each, and other requests are served in between.
    The pinyin keys of new and renamed items are worked out first, outside the transaction
    (they cost more than the writing). After many new items PostgreSQL's statistics of the
    tables are refreshed (ANALYZE), or its planner goes on believing them small until autovacuum
    comes round, and reads them whole where an index would do.
    """
    total = len(rows)
    report = progress or (lambda done, total: None)
    report(0, total)
    db = Item._meta.db
    codes = [row.barcode for row in rows if row.barcode]
    names = {code: " ".join(row["name"].split())
             for code, row in (await _items_by_barcode(shop_id, codes, "barcode, name")).items()}
    keys = await asyncio.to_thread(_pinyin_of, {row.name for row in rows if names.get(row.barcode) != row.name})
    now = datetime.now(UTC)
    created = updated = unchanged = price_changes = pieces = given_codes = done = 0
    async with writing(db):
        items = await _locked_items(shop_id, codes)
        ids = {code: item["id"] for code, item in items.items()}
        in_store = iter(await next_in_store_codes(shop_id=shop_id, count=sum(1 for row in rows if not row.barcode)))
        for chunk in _chunks(rows, CHUNK):
            new_items, updates, changes, incoming = [], [], [], []
            for row in chunk:
                item = items.get(row.barcode) if row.barcode else None
                code = row.barcode
                if item is None:
                    if not code:
                        code, given_codes = next(in_store), given_codes + 1
                    initials, full = keys.get(row.name) or pinyin_keys(row.name)
                    new_items.append(dict(
                        shop=shop_id, barcode=code, name=row.name, category=row.category_id, price_fen=row.price_fen,
                        one_off=False, active=True if row.active is None else row.active, created_at=now, on_hand=0,
                        condition=row.condition, expires_on=row.expires_on, location=row.location,
                        low_stock_at=row.low_stock_at, search_initials=initials, search_pinyin=full))
                else:
                    after = _updated(item, row)
                    if any(after[name] != item[name] for name in after):
                        initials, full = ((keys.get(row.name) or pinyin_keys(row.name)) if after["name"] != item["name"]
                                          else (item["search_initials"], item["search_pinyin"]))
                        updates.append((item["id"], *(after[name] for name, _ in _UPDATED[1:8]), initials, full))
                        updated += 1
                    else:
                        unchanged += 1
                    if row.price_fen != item["price_fen"]:
                        changes.append(dict(shop=shop_id, item=item["id"], old_price_fen=item["price_fen"],
                                            new_price_fen=row.price_fen, reason=REASON, staff=staff_id, created_at=now))
                if row.quantity:
                    incoming.append((code, row.quantity))
            if new_items:
                ids.update(await _insert_items(new_items))
                created += len(new_items)
            await _update_items(updates)
            if changes:
                await sql.insert_rows(PriceChange, changes)
                price_changes += len(changes)
            await record_movements(shop_id=shop_id, staff_id=staff_id, at=now, items_locked=True, movements=[
                Movement(ids[code], quantity, MovementKind.INTAKE, reason=REASON) for code, quantity in incoming])
            pieces += sum(quantity for _, quantity in incoming)
            done += len(chunk)
            report(done, total)
            await asyncio.sleep(0)  # serve other requests (a progress poll) between chunks
    if created >= ANALYZE_AFTER:
        await sql.refresh_statistics(db, "item", "stock_movement")
    return ImportSummary(rows=total, created=created, updated=updated, unchanged=unchanged,
                         price_changes=price_changes, pieces_in=pieces, in_store_codes=given_codes)


# -- the export ---------------------------------------------------------------------------------


def _plain_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _csv_of(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORTED)
    for row in rows:
        expires = as_date(row["expires_on"])
        writer.writerow([
            f'="{row["barcode"]}"', spreadsheet_text(row["name"]), row["category"], _plain_yuan(row["price_fen"]),
            row["on_hand"], row["condition"], spreadsheet_text(row["location"]),
            "" if row["low_stock_at"] is None else row["low_stock_at"], expires.isoformat() if expires else "",
            1 if row["active"] else 0,
        ])
    return (BOM + out.getvalue()).encode("utf-8")


async def export_catalogue(*, shop_id: int) -> bytes:
    """The shop's whole catalogue as CSV (UTF-8 with a BOM, \\r\\n), in the order items came in; on_hand is there
    to read, the import ignores it."""
    rows = await run(Item._meta.db, """
        SELECT i.barcode, i.name, c.code AS category, i.price_fen, i.on_hand, i.condition, i.location,
               i.low_stock_at, i.expires_on, i.active
        FROM item i JOIN category c ON c.id = i.category WHERE i.shop = $1 ORDER BY i.id""", shop_id)
    return await asyncio.to_thread(_csv_of, rows)
