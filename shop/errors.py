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
    NOT_A_MANAGER = "not-a-manager"
    BAD_IDEMPOTENCY_KEY = "bad-idempotency-key"  # a sale's, a return's or a donation's (shop/idempotency.py)
