"""The numbers printed on the shop's paper: a sale's (S00000042, on its receipt's barcode) and a return's
(R00000007, on its refund slip's). Pure rules, imported by whoever prints or reads one."""

from __future__ import annotations

import re


def sale_number(sale_id: int) -> str:
    return f"S{sale_id:08d}"


def sale_id_of(number: str) -> int | None:
    """A sale's id from its number as scanned or typed (S and 8 to 12 digits, any case); None if it is not one."""
    match = re.fullmatch(r"S(\d{8,12})", number.strip().upper())
    return int(match.group(1)) if match else None


def return_number(return_id: int) -> str:
    return f"R{return_id:08d}"


def return_id_of(number: str) -> int | None:
    """A return's id from its number (R and 8 or more digits, as on the slip's barcode); None if it is not one."""
    number = number.strip().upper()
    return int(number[1:]) if len(number) >= 9 and number[0] == "R" and number[1:].isdigit() else None
