"""Discounts and price overrides at the till: pure rules.

A cashier may charge a line another unit price (a price override), take a discount off a
line (whole percents or an amount), and take a discount off the whole sale. Each needs a
reason; one that takes more than `[till] override_limit_percent` off what it changes needs a
manager's PIN. The line's net value (unit price × quantity − its discounts) is what the fund
split divides.

Rounding, written down once:
- a percent discount is the exact share rounded to the nearest fen, half a fen up
  (10% of ¥0.05 is ¥0.01; 10% of ¥0.04 is ¥0.00);
- a whole-sale discount is spread over the lines in proportion to their values after their
  own discounts, by shop.money.allocate (the shop's one rounding rule), so the lines' parts
  add up exactly to the sale's discount and no line goes below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shop.errors import DomainError
from shop.money import allocate

from pos.errors import SaleError

MAX_REASON = 200


@dataclass(frozen=True)
class Discount:
    """Whole percents off (1–100), or an amount of fen off; exactly one of the two."""

    percent: int | None = None
    amount_fen: int | None = None

    def off(self, value_fen: int) -> int:
        """The fen this discount takes off `value_fen` (never more than it)."""
        if (self.percent is None) == (self.amount_fen is None):
            raise DomainError(SaleError.BAD_DISCOUNT, maximum=value_fen)
        if self.percent is not None:
            if not _whole(self.percent) or not 1 <= self.percent <= 100:
                raise DomainError(SaleError.BAD_DISCOUNT, maximum=value_fen)
            return (value_fen * self.percent + 50) // 100
        if not _whole(self.amount_fen) or not 1 <= self.amount_fen <= value_fen:
            raise DomainError(SaleError.BAD_DISCOUNT, maximum=value_fen)
        return self.amount_fen


@dataclass(frozen=True)
class LineOverride:
    """What the cashier changed on one line: a unit price, a discount, or both; with the reason."""

    price_fen: int | None = None  # the unit price to charge instead of the price now
    discount: Discount | None = None
    reason: str = ""


@dataclass(frozen=True)
class SaleDiscount:
    discount: Discount
    reason: str = ""


@dataclass(frozen=True)
class LineToPrice:
    price_now_fen: int  # the catalogue's price now, after any rotation markdown
    quantity: int
    override: LineOverride | None = None


@dataclass(frozen=True)
class PricedLine:
    price_now_fen: int
    unit_price_fen: int  # what one piece is charged (the override's price, or the price now)
    quantity: int
    line_discount_fen: int  # its own discount
    sale_discount_fen: int  # its share of the whole sale's discount

    @property
    def gross_fen(self) -> int:
        return self.unit_price_fen * self.quantity

    @property
    def discount_fen(self) -> int:
        return self.line_discount_fen + self.sale_discount_fen

    @property
    def value_fen(self) -> int:
        return self.gross_fen - self.discount_fen


@dataclass(frozen=True)
class OverrideMade:
    """One override as it is logged: what it changed, from what to what, and why."""

    kind: str  # price | line-discount | sale-discount
    line: int | None  # the line's index in the cart; None for the whole sale
    before_fen: int
    after_fen: int
    reason: str

    def percent_off_exceeds(self, limit_percent: int) -> bool:
        """Whether this takes more than limit_percent off what it changes (raising a price never does)."""
        return (self.before_fen - self.after_fen) * 100 > limit_percent * self.before_fen


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not 1 <= len(text) <= MAX_REASON:
        raise DomainError(SaleError.REASON_NEEDED, maximum=MAX_REASON)
    return text


def price_lines(lines: Sequence[LineToPrice], sale_discount: SaleDiscount | None = None,
                ) -> tuple[list[PricedLine], list[OverrideMade]]:
    """The lines' unit prices and discounts, and the overrides that made them (each with its reason)."""
    made: list[OverrideMade] = []
    unit_prices, own_discounts = [], []
    for index, line in enumerate(lines):
        unit, own = line.price_now_fen, 0
        override = line.override
        if override is not None and (override.price_fen is not None or override.discount is not None):
            reason = clean_reason(override.reason)
            if override.price_fen is not None:
                if not _whole(override.price_fen) or not 0 <= override.price_fen <= 100_000_000:
                    raise DomainError(SaleError.BAD_OVERRIDE_PRICE, price=override.price_fen)
                if override.price_fen != unit:
                    made.append(OverrideMade("price", index, unit, override.price_fen, reason))
                unit = override.price_fen
            if override.discount is not None:
                gross = unit * line.quantity
                own = override.discount.off(gross)
                made.append(OverrideMade("line-discount", index, gross, gross - own, reason))
        unit_prices.append(unit)
        own_discounts.append(own)
    after_own = [unit * line.quantity - own for unit, line, own in zip(unit_prices, lines, own_discounts)]
    shares = [0] * len(lines)
    if sale_discount is not None:
        reason = clean_reason(sale_discount.reason)
        subtotal = sum(after_own)
        if subtotal <= 0:
            raise DomainError(SaleError.BAD_DISCOUNT, maximum=subtotal)
        off = sale_discount.discount.off(subtotal)
        shares = spread_discount(off, after_own)
        made.append(OverrideMade("sale-discount", None, subtotal, subtotal - off, reason))
    priced = [PricedLine(price_now_fen=line.price_now_fen, unit_price_fen=unit, quantity=line.quantity,
                         line_discount_fen=own, sale_discount_fen=share)
              for line, unit, own, share in zip(lines, unit_prices, own_discounts, shares)]
    return priced, made


def spread_discount(discount_fen: int, values_fen: Sequence[int]) -> list[int]:
    """A whole-sale discount as each line's part, in proportion to the lines' values (allocate's rounding).

    The parts add up to `discount_fen` exactly and none exceeds its line's value, as long as
    the discount is at most the sum of the values.
    """
    if discount_fen == 0 or not any(values_fen):
        return [0] * len(values_fen)
    return allocate(discount_fen, list(values_fen))


def needs_manager(overrides: Sequence[OverrideMade], limit_percent: int) -> bool:
    return any(o.percent_off_exceeds(limit_percent) for o in overrides)
