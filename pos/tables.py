"""Tills, sales, their lines (snapshots with the split applied) and tenders."""

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from inventory.tables import Item
from shop.tables import Shop, Staff


class Till(Table):
    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=16)
    name = Varchar(length=100)


class Sale(Table):
    """A completed sale. Its number is "S" and its id in 8 digits (see checkout.sale_number)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    till = ForeignKey(Till, on_delete=OnDelete.restrict, null=False)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    idempotency_key = Varchar(length=64)
    cart_digest = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    total_fen = Integer()
    fund_fen = Integer()
    maker_fen = Integer()
    running_fen = Integer()


class SaleLine(Table):
    """A snapshot of what was sold: name, code, price and the split rule applied, as they were."""

    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=False, index=True)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False)
    barcode = Varchar(length=13)
    name = Varchar(length=200)
    category_code = Varchar(length=32)
    source = Varchar(length=16)
    unit_price_fen = Integer()  # what one piece sold for, after any markdown
    list_price_fen = Integer(null=True, default=None)  # its price before a markdown; null: not marked down
    markdown_percent = Integer(default=0)  # the rotation's markdown applied (ageing donated goods)
    quantity = Integer()
    value_fen = Integer()  # the line's net value: what the split divides
    rule_fund = Integer()  # whole percents of the rule applied
    rule_maker = Integer()
    fund_fen = Integer()
    maker_fen = Integer()
    running_fen = Integer()
    maker_id = Integer(null=True, default=None)
    oversold = Boolean(default=False)  # sold while the books said none were left


class Tender(Table):
    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16)  # cash | points
    amount_fen = Integer()  # what this tender paid of the total
    given_fen = Integer(default=0)  # cash handed over
    change_fen = Integer(default=0)
