"""The errors a person can cause. Only `web` turns a code into words (zh-CN and en) and into an HTTP status
(web/problems.py: STATUS)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class DomainError(Exception):
    """A mistake a person made or a rule of the shop said no to. Nothing was changed.

    `code` is a stable identifier (a StrEnum member of the package that raises it);
    `params` fill the message, e.g. DomainError(InventoryError.UNKNOWN_BARCODE, barcode="…").
    """

    def __init__(self, code: StrEnum, **params: Any) -> None:
        super().__init__(f"{code}: {params}" if params else str(code))
        self.code = code
        self.params = params


class ShopError(StrEnum):
    NOT_FOUND = "not-found"
    BAD_LOGIN = "bad-login"
    USERNAME_TAKEN = "username-taken"
    WEAK_PASSWORD = "weak-password"
    BAD_PHONE = "bad-phone"  # a donor's, a maker's or a member's (shop/people.py)
    LEDGER_UNBALANCED = "ledger-unbalanced"
    BALANCE_BELOW_ZERO = "balance-below-zero"
    BAD_PIN = "bad-pin"
    PIN_FORMAT = "pin-format"
    PIN_TAKEN = "pin-taken"
    BAD_IDEMPOTENCY_KEY = "bad-idempotency-key"  # a sale's, a return's or a donation's (shop/idempotency.py)
    # a district's shops and stations (shop/shops.py)
    UNKNOWN_SHOP = "unknown-shop"
    SHOP_CODE_TAKEN = "shop-code-taken"
    BAD_SHOP_CODE = "bad-shop-code"
    BAD_SHOP_NAME = "bad-shop-name"
    FEEDS_NOT_A_SHOP = "feeds-not-a-shop"  # a station's goods go to a shop, not to another station
    ONLY_STATIONS_FEED = "only-stations-feed"  # a shop takes its own goods in
    SHOP_SET_IN_CONFIG = "shop-set-in-config"  # config.toml's shop: its name and address are config.toml's
    STATION_HAS_NO_TILLS = "station-has-no-tills"
    STATION_HOLDS_NO_STOCK = "station-holds-no-stock"  # its intake goods go to the shop it feeds
