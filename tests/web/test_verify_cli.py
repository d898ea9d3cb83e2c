"""`aixin verify` through its entry point (web.cli.main) on both engines: a clean shop passes, and each rule of
the books, broken on purpose in the database, is caught with a sentence naming the row and exit status 1.

The append-only tables refuse UPDATE and DELETE by trigger: a test turns them off to corrupt a row (as only
someone at the database could), and puts the row back before the fixture's own verify()."""

from __future__ import annotations

import asyncio

import pytest

from pos.checkout import CartLine, commit_sale
from pos.summaries import fold, pending
from tests.pos.till import till_rules
from shop.database import bind, run
from tests.tampering import triggers_off
from web.cli import main


@pytest.fixture
async def sold(goods, settings, monkeypatch):
    """A shop with one real sale (coat ¥35.00 + two coasters ¥10.00), and the CLI pointed at its database."""
    for key, value in (("AIXIN_DATABASE_URL", settings.database.url), ("AIXIN_SERVER_DATA_DIR", settings.server.data_dir),
                       ("AIXIN_PRINTER_PATH", settings.printer.path)):
        monkeypatch.setenv(key, str(value))
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.coasters, 2)], cash_given_fen=5000,
                             idempotency_key="verify-000001", rules=till_rules(settings))
    return sale


async def aixin_verify(db, capsys) -> tuple[int, str]:
    """Run `aixin verify` as the command line does (its own event loop and engine), then bind the test's engine back."""
    capsys.readouterr()
    try:
        status = await asyncio.to_thread(main, ["verify"])
    finally:  # also when it raised: the test's own checks must not run on the command's closed engine
        bind(db)
    return status, capsys.readouterr().out


async def test_a_clean_shop_passes_every_rule(db, sold, capsys):
    status, out = await aixin_verify(db, capsys)
    assert status == 0, out
    assert "the books are in order" in out and "FAIL" not in out
    assert out.count("OK ") >= 8  # each rule listed, one a line


async def test_an_unbalanced_ledger_transaction_is_caught(db, sold, capsys):
    async with triggers_off(db, "ledger_entry", "ledger_txn"):
        txn = (await run(db, "INSERT INTO ledger_txn (shop, kind, ref, created_at) VALUES (1, 'forged', 'x', $1) "
                             "RETURNING id", sold.created_at))[0]["id"]
        await run(db, "INSERT INTO ledger_entry (txn, account, currency, amount) VALUES ($1, 'asset:till:1:cash', "
                      "'CNY', 500)", txn)
        status, out = await aixin_verify(db, capsys)
        await run(db, "DELETE FROM ledger_entry WHERE txn = $1", txn)
        await run(db, "DELETE FROM ledger_txn WHERE id = $1", txn)
    assert status == 1
    assert "FAIL  Each ledger transaction balances in each currency: 1 problem(s)" in out
    assert f"ledger transaction {txn} is off by 500 CNY" in out


async def test_points_below_zero_are_caught(db, sold, capsys):
    async with triggers_off(db, "ledger_entry", "ledger_txn"):
        txn = (await run(db, "INSERT INTO ledger_txn (shop, kind, ref, created_at) VALUES (1, 'forged', 'x', $1) "
                             "RETURNING id", sold.created_at))[0]["id"]
        await run(db, "INSERT INTO ledger_entry (txn, account, currency, amount) VALUES "
                      "($1, 'liability:member:99:points', 'PTS', 7), ($1, 'equity:lovebank:issued', 'PTS', -7)", txn)
        status, out = await aixin_verify(db, capsys)
        await run(db, "DELETE FROM ledger_entry WHERE txn = $1", txn)
        await run(db, "DELETE FROM ledger_txn WHERE id = $1", txn)
    assert status == 1
    assert "FAIL  No points account (a member's, the fund's) is below zero: 1 problem(s)" in out
    assert "liability:member:99:points is 7 points below zero" in out


async def test_stock_that_differs_from_its_movements_is_caught(db, sold, capsys, goods):
    item = (await run(db, "SELECT id, on_hand FROM item WHERE barcode = $1", goods.noodles))[0]
    async with triggers_off(db, "item"):
        await run(db, "UPDATE item SET on_hand = on_hand + 3 WHERE id = $1", item["id"])
        status, out = await aixin_verify(db, capsys)
        await run(db, "UPDATE item SET on_hand = on_hand - 3 WHERE id = $1", item["id"])
    assert status == 1
    assert f"item {item['id']} has {item['on_hand'] + 3} on hand but its movements sum to {item['on_hand']}" in out


async def test_a_sale_line_whose_parts_do_not_add_up_is_caught(db, sold, capsys):
    line = (await run(db, "SELECT id FROM sale_line WHERE sale = $1 ORDER BY id LIMIT 1", sold.id))[0]["id"]
    async with triggers_off(db, "sale_line"):
        await run(db, "UPDATE sale_line SET fund_fen = fund_fen + 1 WHERE id = $1", line)
        status, out = await aixin_verify(db, capsys)
        await run(db, "UPDATE sale_line SET fund_fen = fund_fen - 1 WHERE id = $1", line)
    assert status == 1
    assert (f"sale line {line} (sale {sold.number}) is worth ¥35.00, but its fund, maker and running-cost parts add up "
            "to ¥35.01") in out
    assert f"sale {sold.number} has a total of ¥45.00 (fund ¥" in out  # and the sale's split no longer matches its lines


async def test_a_sale_whose_total_differs_from_its_lines_and_tenders_is_caught(db, sold, capsys):
    async with triggers_off(db, "sale"):
        await run(db, "UPDATE sale SET total_fen = total_fen + 100 WHERE id = $1", sold.id)
        status, out = await aixin_verify(db, capsys)
        await run(db, "UPDATE sale SET total_fen = total_fen - 100 WHERE id = $1", sold.id)
    assert status == 1
    assert f"sale {sold.number} has a total of ¥46.00 (fund ¥" in out and "but its lines add up to ¥45.00" in out
    assert f"sale {sold.number} has a total of ¥46.00, but its tenders paid ¥45.00" in out
    assert f"sale {sold.number} (total ¥46.00" in out and "is booked in the ledger as ¥45.00 received" in out


async def test_a_tender_that_does_not_pay_the_total_is_caught(db, sold, capsys):
    async with triggers_off(db, "tender"):
        await run(db, "UPDATE tender SET amount_fen = amount_fen - 5, change_fen = change_fen + 5 WHERE sale = $1",
                  sold.id)
        status, out = await aixin_verify(db, capsys)
        await run(db, "UPDATE tender SET amount_fen = amount_fen + 5, change_fen = change_fen - 5 WHERE sale = $1",
                  sold.id)
    assert status == 1
    assert f"sale {sold.number} has a total of ¥45.00, but its tenders paid ¥44.95" in out
    assert "problem(s) found in" in out


async def test_report_summaries_that_drift_from_the_sales_are_caught(db, sold, capsys):
    assert await fold() > 0  # the sale's outbox rows into the summaries (the server's Folder does it every second)
    await run(db, "UPDATE report_sale_hour SET value = value + 7 WHERE shop = 1")
    status, out = await aixin_verify(db, capsys)
    await run(db, "UPDATE report_sale_hour SET value = value - 7 WHERE shop = 1")
    assert status == 1
    assert ("shop 1's report summary by till holds 2 lines worth ¥45.07 (fund ¥25.50, refunded ¥0.00), but its "
            "sales have 2 lines worth ¥45.00") in out, out


async def test_a_report_outbox_row_that_drifts_from_the_sales_is_caught_before_it_is_folded(db, sold, capsys):
    # given the sale's outbox rows not folded yet: the report summaries plus them equal the sales
    assert await pending(shop_id=1) > 0
    assert (await aixin_verify(db, capsys))[0] == 0
    # when one of them is changed behind the outbox's back (it refuses UPDATE)
    first = "(SELECT MIN(id) FROM report_line_outbox)"
    async with triggers_off(db, "report_line_outbox"):
        await run(db, f"UPDATE report_line_outbox SET value = value + 3 WHERE id = {first}")
        status, out = await aixin_verify(db, capsys)
        await run(db, f"UPDATE report_line_outbox SET value = value - 3 WHERE id = {first}")
    # then verify says so, naming the summary by category
    assert status == 1
    assert ("shop 1's report summary by category holds 2 lines worth ¥45.03 (fund ¥25.50, refunded ¥0.00), but its "
            "sales have 2 lines worth ¥45.00") in out, out
    # and once folded, the drift is in the summary itself, still caught
    category = (await run(db, f"SELECT category_code FROM report_line_outbox WHERE id = {first}"))[0]["category_code"]
    async with triggers_off(db, "report_line_outbox"):
        await run(db, f"UPDATE report_line_outbox SET value = value + 3 WHERE id = {first}")
    assert await fold() > 0 and await pending() == 0
    status, out = await aixin_verify(db, capsys)
    await run(db, "UPDATE report_line_hour SET value = value - 3 WHERE shop = 1 AND category_code = $1", category)
    assert status == 1 and "shop 1's report summary by category holds 2 lines worth ¥45.03" in out, out
