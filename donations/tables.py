"""Handicraft makers and the goods they consign to the shop."""

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from inventory.tables import Item
from shop.tables import Shop


class Maker(Table):
    """A resident who makes handicrafts (手工艺人) sold on consignment."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100)
    phone = Varchar(length=32, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Consignment(Table):
    """An item that belongs to a maker until it sells; the maker's share is paid out to them."""

    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False, unique=True)
    maker = ForeignKey(Maker, on_delete=OnDelete.restrict, null=False)
    # A manager's override of the category's split for this maker's goods; null: the category's.
    fund_percent = Integer(null=True, default=None)
    maker_percent = Integer(null=True, default=None)
