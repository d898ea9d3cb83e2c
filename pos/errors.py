from enum import StrEnum


class SaleError(StrEnum):
    EMPTY_CART = "empty-cart"
    TOO_MANY_LINES = "too-many-lines"
    NOT_ENOUGH_CASH = "not-enough-cash"
    BAD_AMOUNT = "bad-amount"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    PRICE_CHANGED = "price-changed"
    UNKNOWN_TILL = "unknown-till"
    TILL_CODE_TAKEN = "till-code-taken"  # a shop's till codes are its own, one each (pos/tills.py)
    BAD_TILL_CODE = "bad-till-code"
    UNKNOWN_SALE = "unknown-sale"
    BAD_PERIOD = "bad-period"  # reports: not a day, week, month, or a custom period of at most two years
    BAD_DIMENSION = "bad-dimension"  # reports: not category, source, till, cashier or day
    BAD_DAY = "bad-day"  # reports and statements: a day outside the shop's calendar (day, first, last)
    BAD_MONTH = "bad-month"  # the public notice (pos/notice.py): not a month YYYY-MM of the shop's calendar
    # points tenders (pos/tender.py)
    BAD_POINTS = "bad-points"
    NO_POINTS_GOODS = "no-points-goods"
    TOO_MANY_POINTS = "too-many-points"
    NOT_ENOUGH_POINTS = "not-enough-points"
    POINTS_PAYER = "points-payer"
    BAD_HOUSEHOLD_REF = "bad-household-ref"
    # discounts and price overrides (pos/discounts.py)
    BAD_DISCOUNT = "bad-discount"
    BAD_OVERRIDE_PRICE = "bad-override-price"
    REASON_NEEDED = "reason-needed"
    MANAGER_PIN_NEEDED = "manager-pin-needed"
    # parked carts (pos/parked.py)
    PARKED_CART_GONE = "parked-cart-gone"
    BAD_NOTE = "bad-note"


class TillSessionError(StrEnum):
    TILL_CLOSED = "till-closed"
    TILL_ALREADY_OPEN = "till-already-open"
    UNKNOWN_SESSION = "unknown-session"
    BAD_COUNT = "bad-cash-count"


class ReturnError(StrEnum):
    NOTHING_TO_RETURN = "nothing-to-return"
    UNKNOWN_RETURN = "unknown-return"
    UNKNOWN_SALE_LINE = "unknown-sale-line"
    MORE_THAN_SOLD = "more-than-sold"
    BAD_RETURN_REASON = "bad-return-reason"
    RETURN_KEY_REUSED = "return-key-reused"
    VOID_NOT_THIS_SESSION = "void-not-this-session"
    ALREADY_RETURNED = "already-returned"
    VOID_NEEDS_MANAGER = "void-needs-manager"
    REFUND_NEEDS_MANAGER = "refund-needs-manager"  # amount, limit


class FundError(StrEnum):
    """The community fund's spending (pos/fund.py)."""

    BAD_DISBURSEMENT = "bad-disbursement"  # not a whole number of fen from 1
    DISBURSEMENT_TOO_LARGE = "disbursement-too-large"  # more than the fund holds
    DISBURSEMENT_REASON = "disbursement-reason"  # no reason, or a reason too long
    BAD_DISBURSEMENT_METHOD = "bad-disbursement-method"  # not cash or transfer


class OfflineError(StrEnum):
    """Sales made at a till while the server was out of reach (pos/offline.py)."""

    BAD_OFFLINE_NUMBER = "bad-offline-number"  # not of the till's form T1-0000123
    BAD_MADE_AT = "bad-made-at"  # in the future, or older than the shop keeps offline sales
    BAD_CHARGED_PRICE = "bad-charged-price"  # a unit price charged below 0 or past the most a sale may be
    OFFLINE_KEY_REUSED = "offline-key-reused"  # the key came with another offline sale
    OFFLINE_NUMBER_TAKEN = "offline-number-taken"  # this offline number arrived before with another key
    UNKNOWN_OFFLINE_SALE = "unknown-offline-sale"
    NOT_TO_SETTLE = "not-to-settle"  # settled, written off or checked already (perhaps by someone else just now)
    STILL_UNKNOWN = "still-unknown"  # a held sale's code is still not in the catalogue
    NO_SESSION_TO_SELL_IN = "no-session-to-sell-in"  # no session of its till was open when it was made
    WRITE_OFF_REASON = "write-off-reason"  # no reason, or a reason too long
    # a sale the server refused, reported by the till for a manager (pos/offline_refusals.py)
    REFUSAL_TOO_LARGE = "refusal-too-large"  # the report is past the most a till's sale can be
    BAD_REFUSAL = "bad-refusal"  # the report is not a JSON object naming the sale's refusal code
    REFUSAL_NOTE = "refusal-note"  # no note of what was done, or a note too long
