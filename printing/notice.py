"""The fund's public notice (公示) for the till printer: a short version of the notice page, to pin on the board.

A title, the month, then sections of (label, figure) lines — money in, money out, the fund's balance, points,
donations and wishes — and a note where to read it all. Plain data from the caller, already in the shop's words
and already free of anything personal (pos/notice.py builds it): this module only lays it out.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.layout import two_columns, wrap
from printing.profiles import PrinterProfile
from printing.styled import BOLD, PLAIN, StyledLine, centred, check_labels, plain, preview, print_lines, title

FUND_NOTICE = "fund notice"  # the print queue's name of the document

#: The words of the notice, supplied by the caller: "title" (社区慈善基金公示), "month" (月份), "printed" (打印日期)
#: and "note" (where the full notice is; may be "").
FUND_NOTICE_LABELS = ("title", "month", "printed", "note")


@dataclass(frozen=True)
class NoticeSection:
    heading: str
    rows: tuple[tuple[str, str], ...]  # (label, figure as printed)


@dataclass(frozen=True)
class FundNotice:
    shop_name: str
    month: str  # 2026-12
    printed_on: str
    sections: tuple[NoticeSection, ...]
    labels: Mapping[str, str]  # FUND_NOTICE_LABELS

    def __post_init__(self) -> None:
        check_labels("fund notice", self.labels, FUND_NOTICE_LABELS)


def render_fund_notice(notice: FundNotice, *, width: int = 48, encoding: str = "gb18030",
                       profile: PrinterProfile | None = None) -> bytes:
    """The notice as ESC/POS bytes for a printer of width columns (32 or 48), or for the printer's `profile`, cut."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _lines(notice, width))
    job.cut()
    return job.output()


def preview_fund_notice(notice: FundNotice, *, width: int) -> list[str]:
    return preview(_lines(notice, width), width)


def _lines(notice: FundNotice, width: int) -> Iterator[StyledLine]:
    labels = notice.labels
    rule = "-" * width
    yield from title(notice.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield from plain(two_columns(labels["month"], notice.month, width))
    yield from plain(two_columns(labels["printed"], notice.printed_on, width))
    for section in notice.sections:
        yield PLAIN, rule
        yield from plain(wrap(section.heading, width), BOLD)
        for label, figure in section.rows:
            yield from plain(two_columns(label, figure, width))
    yield PLAIN, rule
    if labels["note"]:
        yield from plain(wrap(labels["note"], width))
