"""The makers' pages over real HTTP, with a return in the books: what a maker earned is net of it, paid is only
what was paid out (nothing yet), owed is the ledger's, and the statement lists the return."""

import re

from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.returns import ReturnRequestLine, commit_return
from pos.tables import SaleLine
from shop import ledger


def cells(html: str, table_id: str, name: str) -> list[str]:
    """The numbers of the row naming `name` in the table `table_id`."""
    table = html[html.index(f'id="{table_id}"'):]
    row = next(r for r in table.split("<tr")[1:] if name in r)
    return re.findall(r"-?¥[\d,]+\.\d\d", row)


async def test_the_makers_pages_are_net_of_returns_and_show_no_payout_that_was_not_made(manager, goods, settings):
    # given four coasters sold (¥20.00: the maker's 80% is ¥16.00) and two of them brought back (¥8.00)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coasters, 4)], cash_given_fen=2000, idempotency_key="makers-0001",
                             rules=till_rules(settings))
    line = await SaleLine.select(SaleLine.id).where(SaleLine.sale == sale.id).first()
    back = await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               sale=sale.number, lines=[ReturnRequestLine(line["id"], 2)],
                               idempotency_key="makers-back-1", reason="不喜欢")
    assert -await ledger.balance(ledger.maker_payable(goods.maker_id)) == 800
    # when the intake desk's and the manager's makers pages are read
    intake = await manager.get("/intake/makers")
    payouts = await manager.get("/manager/makers")
    statement = await manager.get(f"/intake/makers/{goods.maker_id}")
    # then: earned ¥8.00, paid ¥0.00, owed ¥8.00 on both
    assert intake.status_code == 200 and cells(intake.text, "makers", "王阿姨") == ["¥8.00", "¥0.00", "¥8.00"]
    assert payouts.status_code == 200 and cells(payouts.text, "makers-owed", "王阿姨")[:3] == ["¥8.00", "¥0.00", "¥8.00"]
    # and the statement lists the return with its number, pieces and share given back
    assert statement.status_code == 200 and back.number in statement.text
    returned = cells(statement.text, "statement", back.number)
    assert returned[:3] == ["-¥10.00", "-¥8.00", "¥8.00"]
