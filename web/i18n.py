"""Words for people, in zh-CN and English: Babel message catalogues (web/locales/*/LC_MESSAGES/messages.po).

The catalogues are read and compiled in memory at start-up (no build step). Error codes
raised anywhere in the shop become sentences here, and only here.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from shop.errors import DomainError
from shop.money import format_yuan

LOCALES = ("zh_CN", "en")
_LOCALE_DIR = Path(__file__).parent / "locales"


@cache
def translations(locale: str) -> Translations:
    with open(_LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def N_(message: str) -> str:
    """Marks a string for the catalogue (pybabel extract -k N_) where it is defined, not translated yet."""
    return message


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


# Each error code a person can cause, as a sentence that says what to do. Parameters
# named *_fen or amount/total/given/price/expected are shown as money.
ERROR_MESSAGES = {
    "malformed-barcode": N_("“{barcode}” is not a barcode: scan again, or type the 8 or 13 digits under the bars."),
    "bad-check-digit": N_("The code {barcode} has a wrong check digit: it was misread. Scan again or retype it."),
    "unknown-barcode": N_("No item has the code {barcode}. Put it aside for the manager, or search by name."),
    "barcode-taken": N_("The code {barcode} is already used by another item."),
    "item-withdrawn": N_("{name} ({barcode}) has been withdrawn from sale."),
    "bad-price": N_("The price must be between {minimum} and {maximum}."),
    "bad-name": N_("Give the item a name of 1 to {maximum} characters."),
    "bad-quantity": N_("The quantity must be a whole number from 1 to {maximum}."),
    "bad-reason": N_("Say why, in at most {maximum} characters (for a write-off: damaged, expired or unsellable)."),
    "bad-adjustment": N_("A correction is a whole number of pieces, not 0, at most {maximum} either way (+ found, − missing)."),
    "bad-location": N_("A location has at most {maximum} characters."),
    "bad-level": N_("A low-stock level is a whole number from 0 to {maximum}, or empty."),
    "same-price": N_("That is already its price ({price})."),
    "bad-split": N_("A category's split is two whole percents, fund and maker, together at most 100; leave both "
                    "empty for its goods source's rule."),
    "unknown-category": N_("There is no category “{category}”: choose one of the buttons."),
    "bad-source": N_("The goods source must be donated, handicraft or purchased."),
    "empty-cart": N_("The cart is empty: scan an item first."),
    "too-many-lines": N_("A sale can have at most {maximum} lines: finish this sale and start another."),
    "not-enough-cash": N_("Not enough cash: the total is {total}, {given} was given."),
    "bad-amount": N_("That amount is not possible here (at most {maximum})."),
    "idempotency-key-reused": N_("This submit was already used for a different sale ({number}). Start a new sale."),
    "bad-idempotency-key": N_("The till sent a malformed request key. Reload the page and try again."),
    "price-changed": N_("A price changed since the items were scanned: the total is now {total}. Check and pay again."),
    "unknown-till": N_("This till is not known to the shop. Choose a till again."),
    "unknown-sale": N_("There is no sale numbered {number}."),
    "not-found": N_("Not found."),
    # stock takes
    "unknown-stocktake": N_("There is no stock take {number}: choose one from the list of stock takes."),
    "stocktake-not-open": N_("Stock take {number} is already closed (posted or cancelled): nothing more can be "
                             "counted or posted in it. Open a new stock take."),
    "stocktake-already-open": N_("Stock take {number} is still open: post or cancel it before opening another."),
    "bad-scope": N_("Choose what to count: the whole shop, one category, or one location (1 to {maximum} "
                    "characters)."),
    "unknown-location": N_("No item is at “{location}”: choose a location from the list, or set the items' "
                           "location first."),
    "item-out-of-scope": N_("{name} ({barcode}) is not part of this count: put it aside, it is counted with its "
                            "own shelf or category."),
    "bad-count": N_("A count is a whole number from {minimum} to {maximum}: type it again."),
    "nothing-counted": N_("Nothing has been counted in stock take {number} yet: scan the shelf first, or cancel "
                          "the count."),
    # the catalogue's CSV (its rows also use bad-check-digit, bad-price, bad-name, bad-location, bad-level)
    "csv-too-large": N_("The file is larger than {maximum_mb} MB: split it into smaller files and import them one "
                        "after another."),
    "csv-not-utf8": N_("The file is not saved as UTF-8 text: in Excel or WPS choose Save As, “CSV UTF-8 (comma "
                       "delimited)”, and import that file."),
    "csv-unreadable": N_("The file cannot be read as CSV from line {line} on (a quotation mark that is never "
                         "closed?): save it again from the spreadsheet as “CSV UTF-8”."),
    "csv-no-header": N_("The file has no header row: its first line names the columns, e.g. {columns}."),
    "csv-no-rows": N_("The file has a header row but no items under it: nothing to import."),
    "csv-too-many-rows": N_("A file can have at most {maximum} items: split it into smaller files."),
    "csv-bad-header": N_("The header row has problems, listed below; nothing was imported."),
    "csv-bad-rows": N_("The file has {count} problem(s), listed below with their line; nothing was imported. "
                       "Correct them and import the file again."),
    "csv-unknown-column": N_("“{column}” is not a column of the catalogue: use {columns}, or remove the column."),
    "csv-missing-column": N_("The column “{column}” is missing: a file needs barcode, name, category and price."),
    "csv-duplicate-column": N_("The column “{column}” is there twice: keep one."),
    "csv-extra-cells": N_("This line has more cells than the header has columns (“{text}”): remove them, or put "
                          "a name with a comma in quotation marks."),
    "csv-bad-barcode": N_("“{barcode}” is not a barcode: 8, 12 or 13 digits, or leave it empty and the new item "
                          "gets the shop's own code."),
    "csv-barcode-as-number": N_("The spreadsheet turned the barcode into a number ({barcode}) and lost its digits: "
                                "export the catalogue again and edit that file, or format the column as Text."),
    "csv-foreign-in-store-code": N_("{barcode} is an in-store code (it begins with 2) that is not in this shop's "
                                    "catalogue: leave the barcode empty and the item gets the shop's own code."),
    "csv-duplicate-barcode": N_("The barcode {barcode} is already on line {first_line}: each item once in a file."),
    "csv-missing-value": N_("This cell is empty: every item needs a category and a price."),
    "csv-unknown-category": N_("There is no category “{category}”: use one of the category codes {categories}."),
    "csv-handicraft-needs-maker": N_("New goods of the handicraft category “{category}” come in from their maker's "
                                     "page, so the maker is paid for them: take this line out of the file."),
    "csv-bad-price": N_("“{price}” is not a price: write yuan, like 12.50."),
    "csv-bad-quantity": N_("“{quantity}” is not a number of pieces coming in: a whole number from 0 to {maximum}, "
                           "or empty for none."),
    "csv-bad-condition": N_("“{condition}” is not a condition: new, like-new, good or fair (全新, 九成新, 良好, "
                            "一般), or leave it empty."),
    "csv-bad-date": N_("“{date}” is not a date: write it as 2026-12-31, or leave it empty."),
    "csv-bad-active": N_("“{active}” is not a yes or a no: write 1 (on sale) or 0 (withdrawn), or leave it empty."),
    "csv-no-file": N_("Choose a CSV file to import."),
    "csv-import-running": N_("An import is already running ({done} of {total} rows written): wait until it has "
                             "finished."),
    "csv-unknown-import": N_("There is no import {id}: the server may have restarted. Look in the catalogue to see "
                             "whether its items are there."),
    "unknown-donor": N_("There is no such donor: search again, or register them."),
    "bad-donor-name": N_("A donor's name has at most {maximum} characters; leave it empty for an anonymous donor."),
    "bad-phone": N_("“{phone}” is not a phone number: type its digits (5 to 15), or leave it empty."),
    "unknown-donation": N_("There is no donation numbered {number}."),
    "empty-donation": N_("The donation has no items: add at least one."),
    "too-many-items": N_("A donation can have at most {maximum} lines: save this one and start another."),
    "bad-description": N_("Describe each item in 1 to {maximum} characters."),
    "bad-condition": N_("Choose the item's condition: new, like new, good or fair."),
    "bad-date": N_("The date {date} is not possible: a donation is dated today or within the last year."),
    "expiry-needed": N_("{item}: food needs its expiry date."),
    "already-expired": N_("{item} expired on {expires_on}: record it as refused, not for sale."),
    "in-store-code-given": N_("{barcode} is a shop's own code, not the maker's: leave the barcode empty and a new "
                              "label will be printed."),
    "barcode-other-product": N_("The code {barcode} already belongs to another product, {name}: check the goods "
                                "or leave the barcode empty."),
    "price-differs": N_("{name} ({barcode}) sells at {price}: keep that price, or change it in the catalogue first."),
    "bad-refusal-reason": N_("A refusal reason has at most {maximum} characters."),
    "donation-key-reused": N_("This submit was already used for another donation ({number}). Start a new donation."),
    "too-many-labels": N_("{pieces} pieces without a maker's barcode need as many labels; at most {maximum} go in "
                          "one donation: record the rest as another donation."),
    "no-labels": N_("Donation {number} has nothing that needs a label."),
    "unknown-maker": N_("There is no such maker."),
    "bad-maker-name": N_("A maker's name has 1 to {maximum} characters."),
    "not-handicraft": N_("Makers' goods go in a handicraft category, not “{category}”."),
    "not-their-goods": N_("{name} ({barcode}) is not this maker's: check the code."),
    "bad-terms": N_("The fund's and the maker's shares are whole percents from 0 to 100, together at most 100; "
                    "leave both empty for the category's rule."),
    "bad-payout": N_("A payout is at least ¥0.01."),
    "payout-too-large": N_("The shop owes this maker {owed}; a payout of {amount} is more than that."),
    "bad-payout-method": N_("Pay in cash or by transfer."),
    "bad-login": N_("Wrong username or password."),
    "username-taken": N_("The username {username} is taken."),
    "weak-password": N_("The password must have at least {minimum} characters."),
    "ledger-unbalanced": N_("The books would not balance ({kind} {ref}); nothing was saved. Please tell the manager."),
    "balance-below-zero": N_("Not enough points in the account; nothing was saved."),
    "malformed-request": N_("The request was not understood: {reason}"),
    "not-logged-in": N_("Please log in."),
    "forbidden": N_("Your role may not do this. Ask a manager."),
    "server-error": N_("Something went wrong on the server; nothing was saved. Please tell the manager."),
}

MOVEMENT_WORDS = (N_("intake"), N_("sale"), N_("return"), N_("adjustment"), N_("write-off"), N_("stock-take"))
WRITE_OFF_WORDS = (N_("damaged"), N_("expired"), N_("unsellable"))
PRINT_WORDS = (N_("receipt"), N_("queued"), N_("printing"), N_("printed"), N_("failed"))
GOODS_SOURCES = {"donated": N_("donated"), "handicraft": N_("handicraft"), "purchased": N_("purchased")}
ROUNDING_RULE = N_(
    "Each part gets the whole fen of its exact share (rounded down); the fen left over go one each to the "
    "parts with the largest remainders, ties to the earlier part (fund, maker, running costs). The parts "
    "always add up exactly to the line's value."
)

# The parameters shown as money (¥12.50), by error code.
_MONEY = {
    "bad-price": {"price", "minimum", "maximum"}, "bad-amount": {"amount", "maximum"},
    "not-enough-cash": {"total", "given"}, "price-changed": {"total", "expected"}, "price-differs": {"price"},
    "payout-too-large": {"amount", "owed"}, "bad-payout": {"amount"}, "same-price": {"price"},
}


def error_message(locale: str, code: str, params: dict[str, Any]) -> str:
    shown = {}
    for name, value in params.items():
        is_money = name in _MONEY.get(code, ())
        shown[name] = format_yuan(value) if is_money and isinstance(value, int) else value
    template = gettext(locale, ERROR_MESSAGES.get(code, ERROR_MESSAGES["server-error"]))
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


def domain_error_message(locale: str, error: DomainError) -> str:
    return error_message(locale, str(error.code), error.params)
