"""The fund's public notice on a sale's receipt (issue 23), on SQLite and PostgreSQL: the printed bytes carry a QR
code of the notice page for the sale's month in the shop's zone, under a line with the sale's share for the fund,
which is the ledger's; the reprint carries the same; no address, no line and no QR code."""

from datetime import UTC, datetime
from types import SimpleNamespace

import msgspec

from pos.checkout import CartLine, commit_sale
from pos.paper import Paper, notice_url
from printing.tables import PrintJob
from pos.tills import TillInfo
from shop import ledger
from shop.printouts import Printouts
from shop.settings import NoticeSettings
from shop.tables import LedgerEntry
from tests.pos.till import till_rules
from tests.printing.escpos_decode import QrCode, decode
from web.i18n import gettext

ADDRESS = "https://aixin.example.org/notice"
LINE = "公示：本单为慈善基金贡献 ¥{fund}"  # unlike the receipt's own words, so the test tells them apart


def with_notice(settings, **notice):
    return msgspec.structs.replace(settings, notice=NoticeSettings(receipt_line=LINE, **notice))


async def sell(goods, settings, key: str):
    paper = Paper(Printouts(settings, translate=gettext)).at_till(
        shop_id=goods.shop_id, till=TillInfo(goods.till_id, "T1", "一号收银台"), cashier="小张")
    return await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.book, 1), CartLine(goods.coat, 1)], cash_given_fen=10000,
                             idempotency_key=key, rules=till_rules(settings), paper=paper)


async def printed(ref: str) -> list:
    rows = await PrintJob.select(PrintJob.data).where(PrintJob.ref == ref).order_by(PrintJob.id)
    return [decode(bytes(row["data"])) for row in rows]


async def ledger_fund_fen(sale_number: str) -> int:
    rows = await LedgerEntry.select(LedgerEntry.amount).where(
        (LedgerEntry.txn.ref == sale_number) & (LedgerEntry.txn.kind == "sale") & (LedgerEntry.account == ledger.FUND))
    return -sum(row["amount"] for row in rows)


async def test_the_receipt_carries_the_notice_for_the_sales_month_under_the_ledgers_fund_share(goods, settings):
    # given
    settings = with_notice(settings, address=ADDRESS)

    # when
    sale = await sell(goods, settings, "notice-sale-01")
    await PrintJob.update({PrintJob.status: "printed"}).where(PrintJob.ref == sale.number)
    reprint = await Paper(Printouts(settings, translate=gettext)).reprint_receipt(sale, shop_id=goods.shop_id)

    # then: the QR code is the notice page for the sale's month, on the receipt and on its copy
    month = sale.created_at.astimezone(settings.zone).strftime("%Y-%m")
    fund = await ledger_fund_fen(sale.number)
    assert fund == sale.fund_fen > 0
    [receipt, copy] = await printed(sale.number)
    assert not reprint.already_waiting
    for printout in (receipt, copy):
        assert [e.data for e in printout.events if isinstance(e, QrCode)] == [f"{ADDRESS}?month={month}"]
        # the configured line says the ledger's figure, once; the receipt's own fund-share words are not printed
        printed_text = "".join(printout.texts).replace(" ", "")
        assert f"公示：本单为慈善基金贡献￥{fund // 100}.{fund % 100:02d}" in printed_text
        assert printed_text.count("基金") == 1
    assert copy.texts[0].strip() == "** 重打 **"


async def test_no_address_no_line_and_no_qr_code(goods, settings):
    # given: no public address (and, separately, an address for a page that is not public)
    for n, notice in enumerate([dict(address=""), dict(address=ADDRESS, public=False)]):
        # when
        sale = await sell(goods, with_notice(settings, **notice), f"notice-sale-1{n}")

        # then: the receipt says the fund's share in its own words, as before, and has no QR code
        [receipt] = await printed(sale.number)
        assert not any(isinstance(e, QrCode) for e in receipt.events)
        printed_text = "".join(receipt.texts).replace(" ", "")
        assert "公示" not in printed_text
        assert f"本次购物为社区慈善基金贡献￥{sale.fund_fen // 100}.{sale.fund_fen % 100:02d}" in printed_text


def test_the_month_is_the_shops_and_a_sale_that_gave_the_fund_nothing_has_the_qr_code_alone(settings):
    # given: 00:30 on 1 December in Shanghai, still November in UTC
    paper = Paper(Printouts(with_notice(settings, address=ADDRESS), translate=gettext))
    late_november_utc = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)

    # when
    code = paper.notice_code(SimpleNamespace(created_at=late_november_utc, fund_fen=1278))
    nothing = paper.notice_code(SimpleNamespace(created_at=late_november_utc, fund_fen=0))

    # then
    assert (code.line, code.url) == ("公示：本单为慈善基金贡献 ¥12.78", f"{ADDRESS}?month=2026-12")
    assert (nothing.line, nothing.url) == ("", f"{ADDRESS}?month=2026-12")


def test_the_notice_address_takes_the_month_as_a_query():
    assert notice_url(ADDRESS, "2026-12") == "https://aixin.example.org/notice?month=2026-12"
    assert notice_url(ADDRESS + "?shop=2", "2026-01") == "https://aixin.example.org/notice?shop=2&month=2026-01"


def test_in_a_district_another_shops_receipt_names_its_shop_on_the_notice_address(settings):
    paper = Paper(Printouts(with_notice(settings, address=ADDRESS), translate=gettext))
    sale = SimpleNamespace(created_at=datetime(2026, 12, 6, 4, 0, tzinfo=UTC), fund_fen=100)
    assert paper.notice_code(sale).url == f"{ADDRESS}?month=2026-12"  # config.toml's own shop: the page's default
    paper.shop_code = lambda: "north"  # the request's shop, as web/app.py tells the paper
    assert paper.notice_code(sale).url == f"{ADDRESS}?month=2026-12&shop=north"
    paper.shop_code = lambda: settings.shop.code
    assert paper.notice_code(sale).url == f"{ADDRESS}?month=2026-12"
