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

from printing.printable import PLACEHOLDER, unprintable
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
    "bad-catalogue-page": N_("The till asked for its catalogue with {field} outside {minimum} to {maximum}: reload "
                             "the till page."),
    "empty-cart": N_("The cart is empty: scan an item first."),
    "too-many-lines": N_("A sale can have at most {maximum} lines: finish this sale and start another."),
    "not-enough-cash": N_("Not enough cash: the total is {total}, {given} was given."),
    "bad-amount": N_("That amount is not possible here (at most {maximum})."),
    "idempotency-key-reused": N_("This submit was already used for a different sale ({number}). Start a new sale."),
    "bad-idempotency-key": N_("The till sent a malformed request key. Reload the page and try again."),
    "price-changed": N_("A price changed since the items were scanned: the total is now {total}. Check and pay again."),
    "unknown-till": N_("This till is not known to the shop. Choose a till again."),
    "unknown-sale": N_("There is no sale numbered {number}."),
    # till sessions and returns (pos/sessions.py, pos/returns.py)
    "till-closed": N_("This till is not open: count the float in the drawer and open the till first."),
    "unknown-session": N_("There is no such till session in this shop."),
    "till-already-open": N_("This till is already open: keep selling, or close it (count the drawer) first."),
    "bad-cash-count": N_("Type the cash counted in yuan, like 200.00 (at most {maximum})."),
    "nothing-to-return": N_("Choose at least one piece to take back."),
    "unknown-return": N_("There is no such return in this shop."),
    "unknown-sale-line": N_("That line is not part of sale {number}: scan the receipt again."),
    "more-than-sold": N_("{name}: only {returnable} piece(s) can still be taken back."),
    "bad-return-reason": N_("A reason has at most {maximum} characters; a write-off is damaged, expired or "
                            "unsellable."),
    "return-key-reused": N_("This submit was already used for another return ({number}). Start the return again."),
    "void-not-this-session": N_("Sale {number} is not from this till's open session: take it back as a return "
                                "instead."),
    "already-returned": N_("Part of sale {number} has been taken back already: take back the rest as a return."),
    "void-needs-manager": N_("Voiding a sale needs a manager: type a manager's PIN, or ask a manager to log in."),
    "refund-needs-manager": N_("Giving back {amount} in cash is more than {limit}: type a manager's PIN, or ask a "
                               "manager to log in."),
    # points at the till, discounts and overrides, parked carts (pos/tender.py, pos/discounts.py, pos/parked.py)
    "no-points-goods": N_("None of these goods can be paid with points (their categories take cash only): pay in "
                          "cash."),
    "too-many-points": N_("These goods can take at most {most} points (the goods that take points are worth "
                          "{eligible}); cash pays the rest."),
    "points-payer": N_("Say who pays the points: scan the member's card or type their number, or (a manager) give "
                       "the household's reference for the fund's points."),
    "bad-household-ref": N_("A household reference looks like H-2026-017 (no names or phone numbers)."),
    "bad-discount": N_("A discount is a whole percent from 1 to 100, or an amount of at most {maximum}."),
    "bad-override-price": N_("“{price}” is not a price the till can charge."),
    "reason-needed": N_("Say why (1 to {maximum} characters): every price change and discount is logged with its "
                        "reason."),
    "manager-pin-needed": N_("This needs a manager: ask a manager to type their PIN (a discount or price change of "
                             "more than {limit}% off, or the fund's points)."),
    "parked-cart-gone": N_("That parked cart is no longer waiting: another till has taken it back."),
    "bad-note": N_("A note has at most {maximum} characters."),
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
    # the love bank
    "unknown-member": N_("No member has the number or card “{member}”: check it, or find them by name."),
    "member-closed": N_("The account {number} is closed: it can no longer earn, receive or spend points."),
    "member-of-another-shop": N_("The account {number} was opened at {shop}: it is closed, erased or exported there."),
    "bad-member-name": N_("A member's name has 1 to {maximum} characters."),
    "bad-member-notes": N_("Notes have at most {maximum} characters (and never an ID number)."),
    "member-has-points": N_("Account {number} still holds {points} points: give them to the community fund or "
                            "another member before closing it."),
    "unknown-service-type": N_("There is no service type “{service_type}”: choose one from the list."),
    "bad-service-date": N_("The service date {date} is not possible: it is today or within the last year."),
    "bad-service-time": N_("“{time}” is not a time: write it as 09:30."),
    "bad-place": N_("Say where the service was, in 1 to {maximum} characters."),
    "bad-content": N_("Say what the service was, in 1 to {maximum} characters."),
    "bad-witness": N_("Name the witness, in 1 to {maximum} characters."),
    "bad-hours": N_("Hours go in half-hour steps, from 0.5 to {maximum}."),
    "unknown-service": N_("There is no such service record."),
    "own-service": N_("You entered this service yourself: another coordinator approves or rejects it."),
    "already-decided": N_("This service has already been approved or rejected (perhaps by someone else just now): "
                          "reload the page."),
    "bad-correction-reason": N_("Say why, in 1 to {maximum} characters."),
    "not-reversible": N_("This has already been reversed, or was never approved: nothing was changed."),
    "not-enough-points": N_("Not enough points: the account holds {points}, and {asked} are needed. Nothing was "
                            "changed."),
    "unknown-gift": N_("There is no such points gift."),
    "bad-points": N_("Points are a whole number from 1 to {maximum}."),
    "gift-to-self": N_("A member cannot give points to themselves: choose another member or the community fund."),
    "bad-gift-note": N_("A note has at most {maximum} characters."),
    "own-entry": N_("You entered this yourself: another coordinator, or a manager, approves or rejects it."),
    "request-already-decided": N_("This has already been approved or rejected (perhaps by someone else just now): "
                                  "reload the page."),
    "unknown-reversal": N_("There is no such correction."),
    "reversal-pending": N_("A correction of this is already waiting for approval: approve or reject it first."),
    # services for points, with vouchers
    "bad-offer-name": N_("Name the service in 1 to {maximum} characters."),
    "offer-provider": N_("Say who gives the service: a member (their number or card) or a partner organisation's "
                         "name (at most {maximum} characters), not both."),
    "unknown-offer": N_("There is no such service on this shop's menu: choose one from the list."),
    "offer-withdrawn": N_("This service has been taken off the menu: choose another one."),
    "own-offer": N_("Member {number} gives this service themselves: they cannot redeem it."),
    "unknown-voucher": N_("There is no voucher {number} at this shop: check the number, or scan the voucher again."),
    "voucher-settled": N_("Voucher {number} has already been delivered or cancelled: nothing was changed."),
    "voucher-key-reused": N_("This request was already used for voucher {number}, for another service or member: "
                             "reload the page and redeem again."),
    "bad-login": N_("Wrong username or password."),
    "username-taken": N_("The username {username} is taken."),
    "weak-password": N_("The password must have at least {minimum} characters."),
    "ledger-unbalanced": N_("The books would not balance ({kind} {ref}); nothing was saved. Please tell the manager."),
    "balance-below-zero": N_("Not enough points in the account; nothing was saved."),
    "bad-pin": N_("That PIN is not a manager's PIN. Try again."),
    "pin-format": N_("A PIN is {minimum} to {maximum} digits."),
    "too-many-tries": N_("Too many wrong passwords or PINs: wait {seconds} seconds, then try again."),
    "bad-role": N_("Choose one of the roles: {roles}."),
    "last-admin": N_("{username} is the last admin: make someone else an admin first."),
    # the cashier switch (换人) at the till's lock screen
    "not-at-the-till": N_("{username} does not work at the till: only cashiers, managers and admins have a till PIN "
                          "and a staff card."),
    "unknown-cashier": N_("Nobody of this shop has the staff card or name “{who}”: scan the card again, or type your "
                          "username."),
    "no-cashier-pin": N_("{name} has no till PIN yet: an admin sets one on the staff page."),
    "wrong-cashier-pin": N_("Wrong PIN for {name}. Try again."),
    "cashier-inactive": N_("{name}'s login is deactivated: an admin can reactivate it on the staff page."),
    # a district's shops, stations and tills (shop/shops.py, pos/tills.py)
    "unknown-shop": N_("There is no shop or station with the code {shop}."),
    # stock transfers between a district's shops (inventory/transfers.py)
    "unknown-transfer": N_("There is no such transfer sent or coming to this shop: choose one from the list."),
    "transfer-to-same-shop": N_("Goods cannot be transferred to the shop they are in ({shop}): choose another shop."),
    "transfer-to-station": N_("{shop} is a station: it holds no stock. Send the goods to the shop it feeds."),
    "not-enough-on-hand": N_("{name} ({barcode}): only {on_hand} on hand, {quantity} cannot be sent. Count the shelf "
                             "or send fewer."),
    "no-transfer-lines": N_("Scan or type at least one item to send."),
    "too-many-transfer-lines": N_("A transfer has at most {maximum} lines: send the rest as another transfer."),
    "transfer-not-in-transit": N_("Transfer {number} is no longer in transit (received or cancelled already): nothing "
                                  "was changed."),
    "not-the-receiving-shop": N_("Transfer {number} is received by the shop it was sent to, not by the sender."),
    "not-the-sending-shop": N_("Only the shop that sent transfer {number} can cancel it."),
    "transfer-key-reused": N_("This submit was already used for another transfer ({number}). Start the transfer "
                              "again."),
    "bad-transfer-status": N_("A transfer is sent, received or cancelled (“{status}” is none of them)."),
    "shop-code-taken": N_("The code {shop} is already a shop's or a station's: choose another."),
    "bad-shop-code": N_("A shop's code is 1 to {maximum} letters, digits or dashes (“{shop}” is not)."),
    "bad-shop-name": N_("A shop needs a name of 1 to {maximum} characters, and an address of at most "
                        "{address_maximum}."),
    "feeds-not-a-shop": N_("{shop} is a station: a station's goods go to a shop, so name a shop's code."),
    "only-stations-feed": N_("Only a station feeds a shop: a shop takes its own goods in."),
    "shop-set-in-config": N_("{shop} is the shop config.toml names: its name and address are config.toml's [shop] "
                             "name and address, written again at every start. Change them there, then restart."),
    "station-has-no-tills": N_("{shop} is a station: a station has no tills and sells nothing."),
    "station-holds-no-stock": N_("{shop} is a station: a station holds no stock (the goods taken in there go to "
                                 "the shop it feeds)."),
    "station-feeds-no-shop": N_("{shop} is a station that feeds no shop, so its donated goods have nowhere to go: "
                                "ask an admin to name the shop it feeds before taking goods in."),
    "till-code-taken": N_("The shop already has a till {till}: choose another code."),
    "bad-till-code": N_("A till's code is 1 to {maximum} letters, digits or dashes, and its name 1 to "
                        "{name_maximum} characters."),
    "pin-taken": N_("Another manager has this PIN: choose another."),
    "malformed-request": N_("The request was not understood: {reason}"),
    "not-logged-in": N_("Please log in."),
    "forbidden": N_("Your role may not do this. Ask a manager."),
    "page-expired": N_("This page has expired: reload it, then try again."),
    "server-error": N_("Something went wrong on the server; nothing was saved. Please tell the manager."),
    "disk-full": N_("The server's disk is full: nothing was saved. Keep the goods where they are and tell the "
                    "manager; once space is freed, try again (the shop carries on, no restart needed)."),
    # reports and the community fund (pos/reports.py, pos/fund.py)
    "bad-period": N_("Choose a day, a week, a month, or a period from one day to another (at most {maximum} days, "
                     "the last day not before the first)."),
    "bad-dimension": N_("Choose what to break the figures down by: category, goods source, till, cashier or day."),
    "bad-day": N_("{day} is outside the shop's books: choose a day from {first} to {last}."),
    "bad-month": N_("“{month}” is not a month: write it as 2026-12, from {first} to {last}."),
    "bad-disbursement": N_("Type the amount to pay out of the fund in yuan, like 200 or 35.50."),
    "disbursement-too-large": N_("The fund holds {balance} in cash; {amount} is more than that. Nothing was paid."),
    "disbursement-reason": N_("Say what the money is for, in 1 to {maximum} characters (for example: winter clothes "
                              "for a household in need)."),
    "bad-disbursement-method": N_("Pay out of the fund in cash or by transfer."),
    # sales made while the till was offline (pos/offline.py)
    "bad-offline-number": N_("“{number}” is not a number this till gives its offline sales (like {till}-0000123)."),
    "bad-made-at": N_("The time this sale was made ({made_at}) is not possible: it is ahead of the server's clock, or "
                      "older than a till stays offline. Check the till's clock."),
    "bad-charged-price": N_("A price charged is from ¥0.00 to {maximum}: {price} is not possible."),
    "offline-key-reused": N_("This offline sale's key was already sent with a different sale ({number}): the till's "
                             "journal is out of step. Keep the receipt and tell the manager."),
    "offline-number-taken": N_("The offline sale {number} already reached the server with another key: keep the "
                               "receipt and tell the manager."),
    "unknown-offline-sale": N_("There is no such offline sale in this shop."),
    "not-to-settle": N_("The offline sale {number} is already settled (perhaps by someone else just now): reload "
                        "the page."),
    "still-unknown": N_("No item has the code {barcode} yet: add it to the catalogue first, or write the sale off."),
    "no-session-to-sell-in": N_("The till was not open when {number} was made, so it cannot be a sale of a session: "
                                "write it off with the reason."),
    "write-off-reason": N_("Say why it is written off, in 1 to {maximum} characters."),
    "refusal-too-large": N_("This report of a refused sale is larger than a till's sale can be ({maximum} bytes): "
                            "keep the till's list and tell the manager."),
    "bad-refusal": N_("This report of a refused sale is not one (it must be the sale as sent, with the refusal's "
                      "code): reload the till page."),
    "refusal-note": N_("Say what was done about it, in 1 to {maximum} characters (for example: sold again at till "
                       "1, or the money given back)."),
    "offline-held-unknown-barcode": N_("Kept for the manager, not lost: no item has the code {barcode}. The manager "
                                       "makes it a sale once the item is in the catalogue."),
    "offline-held-session-closed": N_("Kept for the manager, not lost: the till was closed (its drawer counted) "
                                      "before this sale arrived."),
    "offline-held-no-session": N_("Kept for the manager, not lost: the till was not open when this sale was made "
                                  "(check the till's clock)."),
    # the wish wall
    "unknown-wish": N_("There is no wish {number} on this shop's wall: reload the wall."),
    "bad-wish-text": N_("Write the wish in 1 to {maximum} characters: what is needed, never the household's name or "
                        "phone."),
    "bad-wish-kind": N_("A wish is for goods or for service."),
    "bad-wish-status": N_("“{status}” is not a wish's status: posted, claimed, fulfilled, thanked or withdrawn."),
    "bad-wish-note": N_("Write it in at most {maximum} characters; withdrawing a wish needs its reason."),
    "wish-claimer": N_("A wish is claimed by one member (card or number) or by one registered donor: give one of "
                       "them."),
    "wish-already-claimed": N_("Wish {number} has already been claimed ({claimed_by}): it cannot be claimed again."),
    "wish-not-posted": N_("Wish {number} is no longer on the wall: only a posted wish can be claimed or withdrawn."),
    "wish-not-claimed": N_("Wish {number} has not been claimed: someone claims it first, then it is fulfilled."),
    "wish-already-fulfilled": N_("Wish {number} has already been fulfilled: nothing was recorded again."),
    "wish-not-fulfilled": N_("Wish {number} is not fulfilled, or was already thanked: thanks are recorded once, after"
                             " it is fulfilled."),
    "wish-wrong-way": N_("Wish {number} cannot be fulfilled that way: a goods wish takes goods (from stock, or the "
                         "claiming donor's own), a service wish the claiming member's service."),
    "wish-no-goods": N_("Give the goods: 1 to {maximum} pieces scanned from stock, or the donor's items, or the "
                        "number of their donation (one of them)."),
    "wish-out-of-stock": N_("{name} ({barcode}) has only {on_hand} on hand: give what is on the shelf."),
    "wish-fund-short": N_("The community fund holds {balance}, less than the goods' {amount}: choose fewer goods, or "
                          "ask a donor."),
    "wish-not-their-donation": N_("Donation {number} is not a gift of the donor who claimed {wish}, or it already "
                                  "fulfilled a wish."),
    # setting up printers
    "printer-bad-connection": N_("“{connection}” is not a printer connection ({reason} is wrong). Write it like "
                                 "tcp://192.168.1.50:9100, usb:0416:5011, serial:/dev/ttyUSB0 or file:/dev/usb/lp0."),
    "printer-bad-name": N_("Give the printer a name of 1 to {maximum} characters."),
    "printer-name-taken": N_("There is already a printer called “{name}”: choose another name."),
    "unknown-printer": N_("There is no such printer here: reload the printers page."),
    "printer-bad-profile": N_("The printer setting {key} cannot be “{value}”: print the test page and choose "
                              "the line that reads right."),
    "printer-bad-drawer-pulse": N_("The drawer's pulse times are even numbers of milliseconds from {minimum} to "
                                   "{maximum} (100 suits most drawers)."),
    "printer-bad-test-line": N_("The test page has lines 1 to {lines}: type the number of the line that reads right."),
    "printer-bad-ruler": N_("Choose the ruler that fits on one line: 32 (58 mm paper) or 48 (80 mm paper)."),
    "printer-bad-place": N_("“{place}” is not a till or the intake desk."),
    "printer-no-raster-font": N_("No Chinese font was found to print Chinese as pictures: install fonts-wqy-microhei, "
                                 "or set {key} in config.toml to a font file (now: {path})."),
    "printer-unreachable": N_("The printer did not print: {reason}. Check that it is on, has paper and is "
                              "connected, then try again."),
    "printer-file-outside": N_("A printer set up here writes only into a folder inside the shop's print area "
                               "({area}), never into a device: choose a folder there, or connect the printer by "
                               "tcp://, usb: or serial:."),
    "printer-host-outside": N_("A network printer set up here must have an address on the shop's own network "
                               "({networks}; config.toml [printing] allowed_networks): check its address."),
    "staff-already-linked": N_("The login {username} is already linked to member {number}: unlink it first."),
    "member-already-linked": N_("Member {number} is already linked to the login {username}: unlink that one first."),
    "staff-not-linked": N_("The login {username} is not linked to any member."),
    "bad-skill": N_("A skill is at most {maximum} characters: “{skill}” is longer. Write a short word, such as 理发."),
    "too-many-skills": N_("A member may list at most {maximum} skills."),
    "card-replaced": N_("This card was replaced by a new one (member {number}): the old card can no longer be used. "
                        "Ask for the new card, or type the member's number."),
    "service-key-reused": N_("This form was already used to record another service: open the member's page again "
                             "and enter the service once more."),
    "intake-shift-open": N_("Your shift at the intake desk is already open."),
    "no-intake-shift": N_("You have no open shift at the intake desk: open one first."),
}

MOVEMENT_WORDS = (N_("intake"), N_("sale"), N_("return"), N_("adjustment"), N_("write-off"), N_("stock-take"),
                  N_("wish"))
WRITE_OFF_WORDS = (N_("damaged"), N_("expired"), N_("unsellable"))
PRINT_WORDS = (N_("receipt"), N_("queued"), N_("printing"), N_("printed"), N_("failed"), N_("redacted"),
               N_("member card"), N_("till report"), N_("wish list"))  # the print queue's documents, as printing/ and pos/paper name them
GOODS_SOURCES = {"donated": N_("donated"), "handicraft": N_("handicraft"), "purchased": N_("purchased")}
ROUNDING_RULE = N_(
    "Each part gets the whole fen of its exact share (rounded down); the fen left over go one each to the "
    "parts with the largest remainders, ties to the earlier part (fund, maker, running costs). The parts "
    "always add up exactly to the line's value."
)

# The parameters shown as money (¥12.50), by error code.
_MONEY = {
    "bad-cash-count": {"amount", "maximum"},
    "bad-price": {"price", "minimum", "maximum"}, "bad-amount": {"amount", "maximum"},
    "not-enough-cash": {"total", "given"}, "price-changed": {"total", "expected"}, "price-differs": {"price"},
    "payout-too-large": {"amount", "owed"}, "too-many-points": {"eligible"}, "bad-discount": {"maximum"},
    "bad-override-price": {"price"}, "bad-payout": {"amount"}, "same-price": {"price"},
    "disbursement-too-large": {"amount", "balance"}, "bad-disbursement": {"amount"},
    "refund-needs-manager": {"amount", "limit"}, "wish-fund-short": {"amount", "balance"}, "bad-charged-price": {"price", "maximum"},
}


UNPRINTABLE = N_("Saved. The printers cannot print {characters}: on paper each prints as {placeholder}.")


def print_warnings(locale: str, *texts: str) -> list[str]:
    """The warning for names that go onto paper holding characters the shop's printers lack
    (printing/printable.py): the name is kept as typed, the paper shows the placeholder. None when all print."""
    characters = unprintable("".join(texts))
    if not characters:
        return []
    return [gettext(locale, UNPRINTABLE).format(characters=" ".join(characters), placeholder=PLACEHOLDER)]


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
