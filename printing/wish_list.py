"""The wish wall for the notice board (微心愿墙): the open wishes, one block each — its number and the day it was
posted, its kind and status, then its text wrapped to the paper — so a passer-by can come in and claim one.

Never a household's name, phone or reference: the caller gives only what the board may show.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.layout import two_columns, wrap
from printing.profiles import PrinterProfile
from printing.styled import BOLD, PLAIN, StyledLine, centred, check_labels, plain, preview, print_lines, title

WISH_LIST = "wish list"  # the print queue's name of the document

#: The words of the list, supplied by the caller: "title" (微心愿墙), "date" (打印日期), "count" (共 {count} 个心愿),
#: "none" (the line when no wish is open) and "note" (how to claim one, under the list; may be "").
WISH_LIST_LABELS = ("title", "date", "count", "none", "note")


@dataclass(frozen=True)
class WishLine:
    number: str  # W000012
    posted_on: str  # already formatted by the caller
    kind: str  # in the shop's words
    status: str  # in the shop's words
    text: str


@dataclass(frozen=True)
class WishList:
    shop_name: str
    printed_on: str
    wishes: tuple[WishLine, ...]
    labels: Mapping[str, str]  # WISH_LIST_LABELS

    def __post_init__(self) -> None:
        check_labels("wish list", self.labels, WISH_LIST_LABELS)


def render_wish_list(wishes: WishList, *, width: int = 48, encoding: str = "gb18030",
                     profile: PrinterProfile | None = None) -> bytes:
    """The list as ESC/POS bytes for a printer of width columns (32 or 48), or for the printer's `profile`, cut at
    the end."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _lines(wishes, width))
    job.cut()
    return job.output()


def preview_wish_list(wishes: WishList, *, width: int) -> list[str]:
    return preview(_lines(wishes, width), width)


def _lines(wishes: WishList, width: int) -> Iterator[StyledLine]:
    labels = wishes.labels
    rule = "-" * width
    yield from title(wishes.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield from plain(two_columns(labels["date"], wishes.printed_on, width))
    yield from plain(two_columns(labels["count"].format(count=len(wishes.wishes)), "", width))
    yield PLAIN, rule
    if not wishes.wishes:
        yield from centred(labels["none"], width)
    for wish in wishes.wishes:
        yield from plain(two_columns(f"{wish.number} {wish.posted_on}", f"{wish.kind} {wish.status}", width), BOLD)
        yield from plain(wrap(wish.text, width))
        yield PLAIN, rule
    yield from centred(labels["note"], width)
