"""What a Chinese printer can print: the characters GBK has, and a placeholder for the rest.

Chinese printers hold a GBK font (about 21,000 characters). GB18030 sends everything else
(emoji such as 😀, rare characters of CJK Extension B such as 𠀀, "€") as four bytes
that a GBK printer prints as two or more garbage characters, pushing the line out of its
columns. So text for a gb18030/gbk printer has each such character replaced by
PLACEHOLDER, a character GBK has and that prints two columns wide as the character it
stands for was counted (printing/layout.py), and the forms that take names say which
characters will print so. Marks and invisible format characters GBK lacks (a combining
accent, a zero-width joiner, an emoji's variation selector) take no column and are left out.
"""

import unicodedata
from functools import cache

PLACEHOLDER = "\u25a1"  # □ WHITE SQUARE: GBK A1 F5, two columns in Chinese mode


@cache  # asked of every character of every receipt
def zero_width(ch: str) -> bool:
    """ch takes no column of its own: a combining mark or an invisible format character."""
    return bool(unicodedata.combining(ch)) or unicodedata.category(ch) in ("Mn", "Me", "Cf")


@cache
def printable(ch: str) -> bool:
    """A Chinese printer prints ch as it is: ASCII, or a character GBK sends as two bytes."""
    if ch.isascii():
        return True
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _all_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def unprintable(text: str) -> list[str]:
    """The characters of text that print as PLACEHOLDER, each once, in the order they come."""
    found = dict.fromkeys(ch for ch in text if not printable(ch) and not zero_width(ch))
    return list(found)


def for_gbk(text: str) -> str:
    """text as a GBK printer gets it: PLACEHOLDER for each character it lacks, its lacking marks left out."""
    if _all_gbk(text):  # nearly every line: as it is
        return text
    return "".join(
        ch if printable(ch) else "" if zero_width(ch) else PLACEHOLDER
        for ch in text
    )
