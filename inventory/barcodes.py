"""Barcodes: GTIN check digits (EAN-13, EAN-8, UPC-A) and the shop's in-store codes.

python-barcode silently replaces a wrong check digit, so checking what a scanner or a
person typed is done here. UPC-A codes are kept in their EAN-13 form (a leading 0),
so a scanner set to send either finds the same item.
"""

from __future__ import annotations

from shop.errors import DomainError

from inventory.errors import InventoryError

IN_STORE_PREFIX = "20"  # GS1 restricted circulation: only meaningful inside this shop


def check_digit(body: str) -> int:
    """The GTIN check digit of `body` (all digits but the last): weights 3,1,3,… from the right."""
    total = 3 * sum(map(int, body[::-2])) + sum(map(int, body[-2::-2]))  # the scanner's hot path: no loop in Python
    return (10 - total % 10) % 10


def normalize_barcode(raw: str) -> str:
    """A scanned or typed code as the shop stores it (EAN-13 or EAN-8), or DomainError.

    Spaces and dashes a person types are ignored; a 12-digit UPC-A gains its leading 0.
    """
    code = "".join(raw.split()).replace("-", "")
    if not code.isascii() or not code.isdigit() or len(code) not in (8, 12, 13):
        raise DomainError(InventoryError.MALFORMED_BARCODE, barcode=raw.strip()[:32])
    if check_digit(code[:-1]) != int(code[-1]):
        raise DomainError(InventoryError.BAD_CHECK_DIGIT, barcode=code)
    return "0" + code if len(code) == 12 else code


def in_store_code(sequence: int) -> str:
    """The shop's own EAN-13 for item number `sequence` (1 … 9,999,999,999): prefix 20, check digit."""
    if not 0 < sequence < 10**10:
        raise ValueError("in-store sequence out of range")
    body = f"{IN_STORE_PREFIX}{sequence:010d}"
    return body + str(check_digit(body))


def is_in_store(code: str) -> bool:
    return len(code) == 13 and code.startswith(IN_STORE_PREFIX)
