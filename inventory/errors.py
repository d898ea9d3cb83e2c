from enum import StrEnum


class InventoryError(StrEnum):
    MALFORMED_BARCODE = "malformed-barcode"
    BAD_CHECK_DIGIT = "bad-check-digit"
    UNKNOWN_BARCODE = "unknown-barcode"
    BARCODE_TAKEN = "barcode-taken"
    ITEM_WITHDRAWN = "item-withdrawn"
    BAD_PRICE = "bad-price"
    BAD_QUANTITY = "bad-quantity"
    UNKNOWN_CATEGORY = "unknown-category"
    BAD_SOURCE = "bad-source"
    BAD_NAME = "bad-name"
    BAD_REASON = "bad-reason"
    BAD_ADJUSTMENT = "bad-adjustment"
    BAD_LOCATION = "bad-location"
    BAD_LEVEL = "bad-level"
    SAME_PRICE = "same-price"
    BAD_SPLIT = "bad-split"
    BAD_NOTE = "bad-note"  # a write-off's note past its length
    BAD_CATALOGUE_PAGE = "bad-catalogue-page"  # the till's catalogue feed: a number out of its bounds
