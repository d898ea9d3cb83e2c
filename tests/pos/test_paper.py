"""pos/paper.py on SQLite and PostgreSQL: what a till and the intake desk print commits with the sale, the return
or the donation, or not at all; a repeated request prints nothing again; each document goes to its place's printer."""

from datetime import date

import pytest

from donations.intake import GivenItem, register_donation
from donations.tables import Donation
from inventory.catalogue import Condition
from pos.checkout import CartLine, commit_sale
from pos.paper import Paper
from pos.returns import ReturnRequestLine, commit_return, sale_for_return, void_sale
from pos.tables import Sale, SaleReturn
from pos.tills import TillInfo
from printing.queue import recent_jobs
from shop.printouts import Printouts
from tests.pos.till import till_rules
from web.i18n import gettext


class LayoutFails(Printouts):
    """Printouts whose queue puts the job in, then fails: the document could not be laid out."""

    async def queue(self, **document) -> int:
        await super().queue(**document)
        raise RuntimeError("the document could not be laid out")


def paper_of(settings, printouts=Printouts) -> Paper:
    return Paper(printouts(settings, translate=gettext))


def at_till(paper: Paper, goods):
    return paper.at_till(shop_id=goods.shop_id, till=TillInfo(goods.till_id, "T1", "一号收银台"), cashier="小张")


def sell(goods, settings, key, paper=None):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(goods.book, 1)], cash_given_fen=1200, idempotency_key=key,
                       rules=till_rules(settings), paper=paper)


async def jobs(goods):
    return [(job.document, job.ref, job.printer) for job in await recent_jobs(shop_id=goods.shop_id)]


async def test_a_sale_whose_receipt_cannot_be_queued_is_not_made(goods, settings):
    # when the receipt fails after its job was put in the queue
    with pytest.raises(RuntimeError):
        await sell(goods, settings, "paper-sale-01", at_till(paper_of(settings, LayoutFails), goods))
    # then neither the sale nor its job was committed
    assert await Sale.count() == 0 and await jobs(goods) == []
    # when it is sold with a paper that works, and submitted again
    sale = await sell(goods, settings, "paper-sale-02", at_till(paper_of(settings), goods))
    again = await sell(goods, settings, "paper-sale-02", at_till(paper_of(settings), goods))
    # then one receipt, for config.toml's [printer] (nothing assigned to T1), and none for the repeat
    assert again.replayed and await jobs(goods) == [("receipt", sale.number, "receipt")]


async def test_a_return_or_a_void_whose_slip_cannot_be_queued_is_not_made(goods, settings):
    # given a sale of two books
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.book, 2)], cash_given_fen=2400, idempotency_key="paper-sale-03",
                             rules=till_rules(settings))
    line = (await sale_for_return(shop_id=goods.shop_id, number=sale.number)).lines[0]

    def take_back(key, paper):
        return commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             sale=sale.number, lines=[ReturnRequestLine(line.id, 1)], idempotency_key=key,
                             paper=paper)

    # when the refund slip of a return, then of a void, fails after its job was queued
    with pytest.raises(RuntimeError):
        await take_back("paper-return-1", at_till(paper_of(settings, LayoutFails), goods))
    with pytest.raises(RuntimeError):
        await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                        manager_id=goods.manager_id, sale=sale.number, idempotency_key="paper-void-01",
                        paper=at_till(paper_of(settings, LayoutFails), goods))
    # then nothing was returned and nothing queued
    assert await SaleReturn.count() == 0 and await jobs(goods) == []
    # when a book comes back with a paper that works, and the return is submitted again
    back = await take_back("paper-return-2", at_till(paper_of(settings), goods))
    again = await take_back("paper-return-2", at_till(paper_of(settings), goods))
    # then one refund slip, for the till's printer (config.toml's [printer]: nothing is assigned to T1)
    assert again.replayed and await jobs(goods) == [("refund slip", back.number, "receipt")]


async def test_a_donation_whose_labels_or_slip_cannot_be_queued_is_not_made(goods, settings):
    items = [GivenItem(category="clothes", description="女士棉服", condition=Condition.LIKE_NEW, quantity=2,
                       price_fen=2500)]

    def donate(key, paper):
        return register_donation(shop_id=goods.shop_id, volunteer_id=goods.cashier_id, donor_id=None, items=items,
                                 idempotency_key=key, today=date(2026, 11, 23), paper=paper)

    # when its labels fail after their job was queued
    with pytest.raises(RuntimeError):
        await donate("paper-donation-1", paper_of(settings, LayoutFails).at_intake(shop_id=goods.shop_id, slip=True,
                                                                                    labels=True))
    # then no donation and no job
    assert await Donation.count() == 0 and await jobs(goods) == []
    # when it is given with a paper that works, and submitted again
    desk = paper_of(settings).at_intake(shop_id=goods.shop_id, slip=True, labels=True)
    donation = await donate("paper-donation-2", desk)
    repeat = paper_of(settings).at_intake(shop_id=goods.shop_id, slip=True, labels=True)
    again = await donate("paper-donation-2", repeat)
    # then its labels (one job) and its slip, on config.toml's [labels]; the repeat queued nothing
    assert again.replayed and not repeat.queued
    assert desk.queued and desk.labels_job is not None and desk.slip_job is not None
    assert sorted(await jobs(goods)) == [("donation slip", donation.number, "label"),
                                         ("label", donation.number, "label")]


async def test_a_close_whose_z_report_cannot_be_queued_leaves_the_till_open(goods, settings):
    from pos.sessions import close_session, current_session

    # when the Z report fails after its job was queued
    with pytest.raises(RuntimeError):
        await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, counted_fen=0,
                            paper=at_till(paper_of(settings, LayoutFails), goods))
    # then the till is still open and nothing was queued
    assert await current_session(shop_id=goods.shop_id, till_id=goods.till_id) is not None
    assert await jobs(goods) == []
    # when it closes with a paper that works
    till = at_till(paper_of(settings), goods)
    figures = await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id,
                                  counted_fen=0, paper=till)
    # then it is closed, with its Z report queued for the till's printer in the same commit
    assert await current_session(shop_id=goods.shop_id, till_id=goods.till_id) is None
    assert len(till.reports) == 1
    assert await jobs(goods) == [("till report", figures.session.number, "receipt")]


async def test_a_makers_goods_whose_labels_cannot_be_queued_are_not_taken_in(goods, settings):
    from donations.makers import consign_goods
    from inventory.tables import Item

    def bring(paper):
        return consign_goods(shop_id=goods.shop_id, maker_id=goods.maker_id, category_code="crafts",
                             name="手工布老虎", price_fen=3000, quantity=3, staff_id=goods.cashier_id, paper=paper)

    items_before = await Item.count()
    # when the labels fail after their job was queued
    with pytest.raises(RuntimeError):
        await bring(paper_of(settings, LayoutFails).at_intake(shop_id=goods.shop_id, slip=False, labels=True))
    # then no new item and no job
    assert await Item.count() == items_before and await jobs(goods) == []
    # when they come in with a paper that works: one label a piece, as one job on the intake desk's printer
    desk = paper_of(settings).at_intake(shop_id=goods.shop_id, slip=False, labels=True)
    brought = await bring(desk)
    assert brought.in_store and desk.labels_job is not None
    assert await jobs(goods) == [("label", f"maker:{goods.maker_id}", "label")]
