from enum import StrEnum


class SaleError(StrEnum):
    EMPTY_CART = "empty-cart"
    TOO_MANY_LINES = "too-many-lines"
    NOT_ENOUGH_CASH = "not-enough-cash"
    BAD_AMOUNT = "bad-amount"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    BAD_IDEMPOTENCY_KEY = "bad-idempotency-key"
    PRICE_CHANGED = "price-changed"
    UNKNOWN_TILL = "unknown-till"
    UNKNOWN_SALE = "unknown-sale"
