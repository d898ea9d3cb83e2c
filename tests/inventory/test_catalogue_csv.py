"""The catalogue as CSV on both engines: an export imports back unchanged, a bad row among thousands imports
nothing and is reported with its line, every kind of bad row is caught, updates keep the books."""

import csv
import io
from datetime import date

import pytest

from inventory.barcodes import check_digit, in_store_code
from inventory.catalogue import add_item, categories_of, update_item
from inventory.catalogue_csv import (
    CHUNK, MAX_BYTES, MAX_PROBLEMS, MAX_ROWS, CatalogueRejected, ImportSummary, export_catalogue, import_catalogue,
    parse_catalogue,
)
from inventory.search import pinyin_keys
from inventory.tables import InStoreSequence, Item, PriceChange, StockMovement
from shop.errors import DomainError

HEADER = "barcode,name,category,price,quantity,condition,location,low_stock_at,expires_on,active"


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    """A file as Excel's "CSV UTF-8" saves it: a BOM, \\r\\n."""
    return ("\ufeff" + "\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


def ean13(number: int) -> str:
    """A maker's EAN-13 with its right check digit."""
    body = f"6930{number:08d}"
    return body + str(check_digit(body))


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


async def counts() -> tuple[int, int, int]:
    return await Item.count(), await StockMovement.count(), await PriceChange.count()


async def problems_of(goods, data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(CatalogueRejected) as rejected:
        await parse_catalogue(data, shop_id=goods.shop_id)
    return [(p.line, p.column, p.code) for p in rejected.value.problems]


async def import_file(goods, data: bytes, progress=None) -> ImportSummary:
    rows = await parse_catalogue(data, shop_id=goods.shop_id)
    return await import_catalogue(shop_id=goods.shop_id, rows=rows, staff_id=goods.manager_id, progress=progress)


async def item(barcode: str) -> dict:
    return await Item.select().where(Item.barcode == barcode).first()


async def test_an_exported_catalogue_imports_back_without_changing_anything(goods):
    # given a catalogue with a location, a low-stock level, an expiry date and a withdrawn item
    await update_item(shop_id=goods.shop_id, barcode=goods.noodles, name="红烧牛肉面 5连包", category="food",
                      location="A-3", low_stock_at=5, active=True)
    await update_item(shop_id=goods.shop_id, barcode=goods.coat, name="=儿童羽绒服（九成新）", category="clothes",
                      location="", low_stock_at=None, active=False)
    category = {c.code: c.id for c in await categories_of(shop_id=goods.shop_id)}
    await add_item(shop_id=goods.shop_id, name="酸奶 4 杯", category_id=category["food"], price_fen=990, quantity=6,
                   expires_on=date(2030, 1, 31))
    await add_item(shop_id=goods.shop_id, name="T恤  XL", category_id=category["clothes"], price_fen=1500)
    before = await counts()
    items_before = await Item.select().order_by(Item.id)
    # when the catalogue is exported
    data = await export_catalogue(shop_id=goods.shop_id)
    # then it opens with the BOM and the header, one line per item, Chinese as it is
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["barcode", "name", "category", "price", "on_hand", "condition", "location", "low_stock_at",
                       "expires_on", "active"]
    assert len(rows) == 1 + len(items_before)
    assert rows[1] == [f'="{goods.coat}"', "'=儿童羽绒服（九成新）", "clothes", "35.00", "1", "", "", "", "", "0"]
    assert rows[3] == [f'="{goods.noodles}"', "红烧牛肉面 5连包", "food", "12.50", "40", "", "A-3", "5", "", "1"]
    assert rows[5][1:] == ["酸奶 4 杯", "food", "9.90", "6", "", "", "", "2030-01-31", "1"]
    # when it is imported back as it is
    summary = await import_file(goods, data)
    # then nothing changed: no new items, no movements, no price changes, every detail as it was
    assert summary == ImportSummary(rows=6, created=0, updated=0, unchanged=6, price_changes=0, pieces_in=0,
                                    in_store_codes=0)
    assert await counts() == before
    assert await Item.select().order_by(Item.id) == items_before


async def test_one_bad_row_among_ten_thousand_imports_nothing_and_the_fixed_file_imports_all(goods):
    # given 10,000 new goods, half with a maker's barcode and half to get the shop's own code
    def line(i: int, bad: bool = False) -> str:
        barcode = ean13(i) if i % 2 else ""
        if bad:
            barcode = wrong_check_digit(barcode)
        return f"{barcode},商品{i}号,food,{i % 50 + 1}.50,{i % 7 + 1},,,,,"

    bad_file = csv_file(*(line(i, bad=i + 2 == 5_001) for i in range(10_000)))
    before = await counts()
    # when it is read, with line 5,001's check digit wrong
    with pytest.raises(CatalogueRejected) as rejected:
        await parse_catalogue(bad_file, shop_id=goods.shop_id)
    # then exactly that row is reported, with its line and reason, and nothing is imported
    wrong = wrong_check_digit(ean13(4_999))
    assert [(p.line, p.column, p.code, p.params) for p in rejected.value.problems] == [
        (5_001, "barcode", "bad-check-digit", {"barcode": wrong})]
    assert (rejected.value.code, rejected.value.count) == ("csv-bad-rows", 1)
    assert await counts() == before
    # when the fixed file is imported
    seen: list[tuple[int, int]] = []
    summary = await import_file(goods, csv_file(*(line(i) for i in range(10_000))),
                                progress=lambda done, total: seen.append((done, total)))
    # then every row is in, each with its stock, the shop's codes unique
    pieces = sum(i % 7 + 1 for i in range(10_000))
    assert summary == ImportSummary(rows=10_000, created=10_000, updated=0, unchanged=0, price_changes=0,
                                    pieces_in=pieces, in_store_codes=5_000)
    assert await counts() == (before[0] + 10_000, before[1] + 10_000, before[2])
    stocked = await Item.select(Item.barcode, Item.name, Item.on_hand, Item.price_fen).where(Item.name.like("商品%"))
    assert len(stocked) == 10_000
    assert all(row["on_hand"] == int(row["name"][2:-1]) % 7 + 1 for row in stocked)
    assert all(row["price_fen"] == int(row["name"][2:-1]) % 50 * 100 + 150 for row in stocked)
    own = sorted(row["barcode"] for row in stocked if row["barcode"].startswith("2"))
    assert len(own) == len(set(own)) == 5_000
    assert own[0] == in_store_code(4) and own[-1] == in_store_code(5_003)  # after the shop's codes 1-3
    assert {row["barcode"] for row in stocked if not row["barcode"].startswith("2")} == {
        ean13(i) for i in range(1, 10_000, 2)}
    # and the progress went up chunk by chunk to the end
    assert seen[0] == (0, 10_000) and seen[-1] == (10_000, 10_000)
    assert len(seen) == 1 + 10_000 // CHUNK and [d for d, _ in seen] == sorted(d for d, _ in seen)


OK_ROW = f"{ean13(1)},挂面,food,4.50,3,,,,,"
BAD_ROWS = [  # (the row, the column reported, the code)
    (f"{wrong_check_digit(ean13(2))},面,food,1.00,,,,,,", "barcode", "bad-check-digit"),
    ("12345,面,food,1.00,,,,,,", "barcode", "csv-bad-barcode"),
    ("69301234ABCD5,面,food,1.00,,,,,,", "barcode", "csv-bad-barcode"),
    ("6.93E+12,面,food,1.00,,,,,,", "barcode", "csv-barcode-as-number"),
    (f"{in_store_code(999)},面,food,1.00,,,,,,", "barcode", "csv-foreign-in-store-code"),
    (f"{ean13(1)},又是挂面,food,4.50,,,,,,", "barcode", "csv-duplicate-barcode"),
    (",,food,1.00,,,,,,", "name", "bad-name"),
    (f",{'长' * 201},food,1.00,,,,,,", "name", "bad-name"),
    (",面,toys,1.00,,,,,,", "category", "csv-unknown-category"),
    (",面,,1.00,,,,,,", "category", "csv-missing-value"),
    (",手工杯垫,crafts,5.00,,,,,,", "category", "csv-handicraft-needs-maker"),
    (",面,food,,,,,,,", "price", "csv-missing-value"),
    (",面,food,abc,,,,,,", "price", "csv-bad-price"),
    (",面,food,-1,,,,,,", "price", "csv-bad-price"),
    (",面,food,1.234,,,,,,", "price", "csv-bad-price"),
    (",面,food,0,,,,,,", "price", "bad-price"),
    (",面,food,100000.01,,,,,,", "price", "bad-price"),
    (",面,food,1.00,-2,,,,,", "quantity", "csv-bad-quantity"),
    (",面,food,1.00,1.5,,,,,", "quantity", "csv-bad-quantity"),
    (",面,food,1.00,10000,,,,,", "quantity", "csv-bad-quantity"),
    (",面,food,1.00,,broken,,,,", "condition", "csv-bad-condition"),
    (f",面,food,1.00,,,{'A' * 33},,,", "location", "bad-location"),
    (",面,food,1.00,,,,-1,,", "low_stock_at", "bad-level"),
    (",面,food,1.00,,,,10000,,", "low_stock_at", "bad-level"),
    (",面,food,1.00,,,,,2026-02-30,", "expires_on", "csv-bad-date"),
    (",面,food,1.00,,,,,31/12/2026,", "expires_on", "csv-bad-date"),
    (",面,food,1.00,,,,,next week,", "expires_on", "csv-bad-date"),
    (",面,food,1.00,,,,,,maybe", "active", "csv-bad-active"),
    (",面,food,1.00,,,,,,1,surplus", "", "csv-extra-cells"),
]


async def test_every_kind_of_bad_row_is_reported_with_its_line_and_column(goods):
    before = await counts()
    for row, column, code in BAD_ROWS:
        # given a good row (line 2) and a bad one (line 3)
        # when the file is read, then the bad row alone is reported
        assert await problems_of(goods, csv_file(OK_ROW, row)) == [(3, column, code)], row
    # given all of them in one file, after the good row
    # when it is read, then every bad row is reported, in order, with its own line
    assert await problems_of(goods, csv_file(OK_ROW, *(row for row, _, _ in BAD_ROWS))) == [
        (line, column, code) for line, (_, column, code) in enumerate(BAD_ROWS, start=3)]
    # and a row with several mistakes has each of them, named by the column as the file heads it
    chinese = "条码,名称,类别,价格,数量,成色,位置,低库存,到期日,在售"
    assert await problems_of(goods, csv_file(OK_ROW, "123,,toys,abc,x,,,,2026-13-01,", header=chinese)) == [
        (3, "条码", "csv-bad-barcode"), (3, "名称", "bad-name"), (3, "类别", "csv-unknown-category"),
        (3, "价格", "csv-bad-price"), (3, "数量", "csv-bad-quantity"), (3, "到期日", "csv-bad-date")]
    assert await counts() == before


async def test_the_reasons_carry_what_the_sentence_needs(goods):
    with pytest.raises(CatalogueRejected) as rejected:
        await parse_catalogue(csv_file(OK_ROW, f"{ean13(1)},又是挂面,food,4.50,,,,,,", ",面,toys,0.00,,,,,,"),
                              shop_id=goods.shop_id)
    assert [(p.line, p.code, p.params) for p in rejected.value.problems] == [
        (3, "csv-duplicate-barcode", {"barcode": ean13(1), "first_line": 2}),
        (4, "csv-unknown-category", {"category": "toys", "categories": "books, clothes, crafts, food"}),
        (4, "bad-price", {"price": 0, "minimum": 1, "maximum": 10_000_000}),
    ]


async def test_only_the_first_thousand_problems_are_listed_but_all_are_counted(goods):
    with pytest.raises(CatalogueRejected) as rejected:
        await parse_catalogue(csv_file(*(f",面{i},food,abc,,,,,," for i in range(1_500))), shop_id=goods.shop_id)
    assert len(rejected.value.problems) == MAX_PROBLEMS and rejected.value.count == 1_500
    assert rejected.value.problems[-1].line == MAX_PROBLEMS + 1


async def test_a_bad_header_lists_every_unknown_repeated_or_missing_column(goods):
    problems = await problems_of(goods, csv_file(",面,1.00,red,2", header="barcode,name,price,colour,price"))
    assert problems == [(1, "colour", "csv-unknown-column"), (1, "price", "csv-duplicate-column"),
                        (1, "category", "csv-missing-column")]


async def test_a_file_that_cannot_be_read_is_refused_whole(goods):
    cases = [
        ((HEADER + "\r\n,挂面,food,4.50,,,,,,\r\n").encode("gbk"), "csv-not-utf8"),  # Excel's "CSV" in Chinese Windows
        (b"x" * (MAX_BYTES + 1), "csv-too-large"),
        (b"", "csv-no-header"),
        (b"\xef\xbb\xbf\r\n", "csv-no-header"),
        (csv_file(), "csv-no-rows"),
        (csv_file("", ",,,,,,,,,"), "csv-no-rows"),
        (csv_file(*([",面,food,1.00,,,,,,"] * (MAX_ROWS + 1))), "csv-too-many-rows"),
        (csv_file(',"面,food,1.00,,,,,,', ",面,food,1.00,,,,,,"), "csv-unreadable"),  # a quote never closed
    ]
    before = await counts()
    for data, code in cases:
        with pytest.raises(DomainError) as refused:
            await parse_catalogue(data, shop_id=goods.shop_id)
        assert str(refused.value.code) == code, data[:60]
    assert await counts() == before
    # and without the BOM, or with its lines ending \n only, the same file is read
    rows = await parse_catalogue((HEADER + "\n,挂面,food,4.50,,,,,,\n").encode(), shop_id=goods.shop_id)
    assert [(row.line, row.name, row.price_fen) for row in rows] == [(2, "挂面", 450)]


async def test_an_import_updates_known_items_keeping_the_books(goods):
    # given the book at ¥12.00 (3 on hand) and the noodles at ¥12.50 (40 on hand)
    # when a file renames and reprices the book, brings 2 more in, and withdraws the noodles bringing 10 in
    summary = await import_file(goods, csv_file(
        f"{goods.book},新华字典（第12版）,books,15.00,2,,B-1,2,,1",
        f"{goods.noodles},红烧牛肉面 5连包,food,12.50,10,,,,2030-06-30,0",
    ))
    # then the price change is kept with the old and the new price, who and why
    assert summary == ImportSummary(rows=2, created=0, updated=2, unchanged=0, price_changes=1, pieces_in=12,
                                    in_store_codes=0)
    book = await item(goods.book)
    changes = await PriceChange.select(PriceChange.old_price_fen, PriceChange.new_price_fen, PriceChange.reason,
                                       PriceChange.staff).where(PriceChange.item == book["id"])
    assert changes == [{"old_price_fen": 1200, "new_price_fen": 1500, "reason": "CSV import",
                        "staff": goods.manager_id}]
    # and the renamed book is found by its new name's pinyin
    assert (book["name"], book["price_fen"], book["location"], book["low_stock_at"]) == (
        "新华字典（第12版）", 1500, "B-1", 2)
    assert (book["search_initials"], book["search_pinyin"]) == pinyin_keys("新华字典（第12版）")
    assert book["search_initials"].startswith("xhzd") and book["search_initials"] != "xhzd"
    # and the pieces came in as intake movements: on-hand is the sum of the movements
    moves = await StockMovement.select(StockMovement.item.barcode, StockMovement.quantity, StockMovement.kind,
                                       StockMovement.reason, StockMovement.staff).where(
        StockMovement.reason == "CSV import").order_by(StockMovement.id)
    assert [(m["item.barcode"], m["quantity"], m["kind"], m["staff"]) for m in moves] == [
        (goods.book, 2, "intake", goods.manager_id), (goods.noodles, 10, "intake", goods.manager_id)]
    noodles = await item(goods.noodles)
    assert (book["on_hand"], noodles["on_hand"]) == (5, 50)
    assert (noodles["active"], noodles["expires_on"], noodles["price_fen"]) == (False, date(2030, 6, 30), 1250)
    assert await PriceChange.count() == 1


async def test_columns_the_file_leaves_out_keep_their_values_and_chinese_headings_work(goods):
    # given the noodles on shelf A-3, low at 5, expiring, withdrawn
    await update_item(shop_id=goods.shop_id, barcode=goods.noodles, name="红烧牛肉面 5连包", category="food",
                      location="A-3", low_stock_at=5, active=False)
    await import_file(goods, csv_file(f"{goods.noodles},红烧牛肉面 5连包,food,12.50,2030-06-30",
                                      header="barcode,name,category,price,expires_on"))
    # when a file with Chinese headings and only some columns changes the price and adds a new item
    summary = await import_file(goods, csv_file(f"{goods.noodles},红烧牛肉面 5连包,food,13.00",
                                                ",爱心杯,food,8.00", header="条码,名称,类别,价格"))
    # then what the file does not have is as it was
    noodles = await item(goods.noodles)
    assert (noodles["price_fen"], noodles["location"], noodles["low_stock_at"], noodles["expires_on"],
            noodles["active"]) == (1300, "A-3", 5, date(2030, 6, 30), False)
    # and the new item is on sale with no stock, found by "axb"
    cup = await Item.select().where(Item.name == "爱心杯").first()
    assert (cup["barcode"], cup["active"], cup["on_hand"], cup["search_initials"], cup["location"]) == (
        in_store_code(4), True, 0, "axb", "")
    assert (summary.created, summary.updated, summary.price_changes, summary.pieces_in) == (1, 1, 1, 0)


async def test_a_file_saved_by_a_spreadsheet_imports(goods):
    # given what Excel or WPS writes back: ="…" barcodes, a UPC-A without its 0, ¥ and thousands,
    # dates with slashes, TRUE/FALSE, Chinese conditions, semicolons in some set-ups
    upc = "036000291452"  # UPC-A: kept as 0036000291452
    data = csv_file(
        f'"=""{ean13(7)}""";儿童雨衣;clothes;¥25;1;九成新;;;;TRUE',
        f"{upc};牙膏;food;\"1,000.50\";2;;;;2031/1/5;是",
        f"{goods.noodles};红烧牛肉面 5连包;food;12.50;;;;;;FALSE",
        header=HEADER.replace(",", ";"))
    summary = await import_file(goods, data)
    coat = await item(ean13(7))
    assert (coat["name"], coat["price_fen"], coat["condition"], coat["on_hand"], coat["active"]) == (
        "儿童雨衣", 2500, "like-new", 1, True)
    paste = await item("0" + upc)
    assert (paste["price_fen"], paste["expires_on"], paste["on_hand"]) == (100_050, date(2031, 1, 5), 2)
    assert (await item(goods.noodles))["active"] is False
    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)


async def test_a_failure_half_way_leaves_nothing_written(goods):
    # given 1,200 new goods (three chunks), read and checked
    rows = await parse_catalogue(csv_file(*(f",商品{i},food,1.00,2,,,,," for i in range(1_200))), shop_id=goods.shop_id)
    before = await counts()

    def power_cut(done: int, total: int) -> None:
        if done >= CHUNK:
            raise RuntimeError("power cut")

    # when the import fails after its first chunk is written
    with pytest.raises(RuntimeError):
        await import_catalogue(shop_id=goods.shop_id, rows=rows, staff_id=goods.manager_id, progress=power_cut)
    # then nothing of it is in the books, not even the in-store codes it took
    assert await counts() == before
    assert (await InStoreSequence.select(InStoreSequence.last).first())["last"] == 3
    # and the same rows import whole afterwards, with the codes the failed import would have given
    summary = await import_catalogue(shop_id=goods.shop_id, rows=rows, staff_id=goods.manager_id)
    assert (summary.created, summary.pieces_in) == (1_200, 2_400)
    assert await Item.count().where(Item.barcode == in_store_code(4)) == 1
