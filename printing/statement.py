"""The passbook statement (爱心存折): a member's volunteer hours and points over a period, as a table.

Hours are counted in tenths (25 = 2.5 hours), so no float is ever printed or summed. On
80 mm paper each row is one table line (date, description wrapped in its column, hours,
points, balance, hours so far); on 58 mm the description goes beside the date and the
numbers on a line of their own below it, still in columns.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from printing.escpos import start_job
from printing.profiles import PrinterProfile
from printing.layout import columns, pad_left, pad_right, signed, table_row, tenths, two_columns, wrap
from printing.styled import BOLD, PLAIN, TOTAL, StyledLine, centred, check_labels, plain, preview, print_lines
from printing.styled import title

#: The words of the statement, supplied by the caller: "title" (爱心存折), "member_number"
#: (会员号), "member_name" (姓名), "period" (期间), the column heads "date" (日期),
#: "description" (摘要), "hours" (时长), "points" (积分), "balance" (余额),
#: "cumulative_hours" (累计时长), and "closing_balance" (期末余额).
STATEMENT_LABELS = (
    "title",
    "member_number",
    "member_name",
    "period",
    "date",
    "description",
    "hours",
    "points",
    "balance",
    "cumulative_hours",
    "closing_balance",
)

_MIN_DESCRIPTION = 10  # columns: below this the description leaves the table for a line of its own


@dataclass(frozen=True)
class StatementRow:
    date: str  # already formatted by the caller
    description: str
    hours_tenths: int | None  # hours volunteered, in tenths; None for a row without hours (points spent)
    points_change: int  # + earned, - spent
    balance: int  # points after this row
    cumulative_hours_tenths: int  # hours so far, in tenths


@dataclass(frozen=True)
class PassbookStatement:
    shop_name: str
    member_number: str
    member_name: str
    period: str  # already formatted: "2024-05-01 至 2024-05-31"
    rows: tuple[StatementRow, ...]
    closing_balance: int
    labels: Mapping[str, str]  # STATEMENT_LABELS

    def __post_init__(self) -> None:
        check_labels("statement", self.labels, STATEMENT_LABELS)
        if self.rows and self.rows[-1].balance != self.closing_balance:
            raise ValueError(
                f"closing balance {self.closing_balance} is not the last row's balance {self.rows[-1].balance}"
            )


def render_statement(statement: PassbookStatement, *, width: int = 48, encoding: str = "gb18030",
        profile: PrinterProfile | None = None) -> bytes:
    """The statement as ESC/POS bytes for a printer of width columns (32 or 48), or for the printer's `profile`
    (its width, encoding, Chinese mode, Chinese as images), cut at the end."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _statement_lines(statement, width))
    job.cut()
    return job.output()


def preview_statement(statement: PassbookStatement, *, width: int) -> list[str]:
    return preview(_statement_lines(statement, width), width)


def _statement_lines(statement: PassbookStatement, width: int) -> Iterator[StyledLine]:
    labels = statement.labels
    rule = "-" * width
    yield from title(statement.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield PLAIN, rule
    yield from plain(two_columns(labels["member_number"], statement.member_number, width))
    yield from plain(two_columns(labels["member_name"], statement.member_name, width))
    yield from plain(two_columns(labels["period"], statement.period, width))
    yield PLAIN, rule
    yield from _table(statement, width)
    yield PLAIN, rule
    yield from plain(two_columns(labels["closing_balance"], str(statement.closing_balance), width), TOTAL)


def _numbers(row: StatementRow) -> list[str]:
    hours = "" if row.hours_tenths is None else tenths(row.hours_tenths)
    return [hours, signed(row.points_change), str(row.balance), tenths(row.cumulative_hours_tenths)]


def _table(statement: PassbookStatement, width: int) -> Iterator[StyledLine]:
    labels = statement.labels
    heads = [labels["hours"], labels["points"], labels["balance"], labels["cumulative_hours"]]
    values = [_numbers(row) for row in statement.rows]
    date_width = max([columns(labels["date"]), *(columns(row.date) for row in statement.rows)])
    # the table: date, description, 4 numbers, 5 spaces between
    numbers_room = width - date_width - _MIN_DESCRIPTION - 5
    widths = _fit(heads, values, numbers_room)
    if widths is not None:
        description_width = width - date_width - sum(widths) - 5
        all_widths = [date_width, description_width, *widths]
        right = [False, False, True, True, True, True]
        head = [labels["date"], labels["description"], *heads]
        yield from plain(table_row(head, all_widths, right), BOLD)
        for row, numbers in zip(statement.rows, values):
            yield from plain(table_row([row.date, row.description, *numbers], all_widths, right))
        return
    # stacked: date and description on a line, the numbers below, right-aligned in columns
    widths = _fit(heads, values, width - 3)
    if widths is None:
        raise ValueError(f"the statement's numbers do not fit on {width} columns")
    yield from plain(_beside(labels["date"], labels["description"], date_width, width), BOLD)
    yield from plain(_right(table_row(heads, widths, [True] * 4), width), BOLD)
    for row, numbers in zip(statement.rows, values):
        yield from plain(_beside(row.date, row.description, date_width, width))
        yield from plain(_right(table_row(numbers, widths, [True] * 4), width))


def _fit(heads: Sequence[str], values: Sequence[Sequence[str]], room: int) -> list[int] | None:
    """Widths for the number columns within room columns (3 spaces between them), or None.

    A column is as wide as its widest value and its head; a head that does not fit wraps
    onto a second line, but never narrower than 4 columns nor than its longest Latin word.
    """
    value_widths = [max([1, *(columns(numbers[i]) for numbers in values)]) for i in range(len(heads))]
    widths = [max(value, columns(head)) for value, head in zip(value_widths, heads)]
    narrowest = [
        max(value, min(columns(head), max([4, *(columns(word) for word in head.split() if word.isascii())])))
        for value, head in zip(value_widths, heads)
    ]
    while sum(widths) + len(widths) - 1 > room:
        shrinkable = [i for i in range(len(widths)) if widths[i] > narrowest[i]]
        if not shrinkable:
            return None
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _beside(date: str, description: str, date_width: int, width: int) -> list[str]:
    """date, then description wrapped beside it; its further lines indented under its first."""
    indent = date_width + 1
    parts = wrap(description, width - indent)
    return [pad_right(date, date_width) + " " + parts[0]] + [" " * indent + part for part in parts[1:]]


def _right(lines: list[str], width: int) -> list[str]:
    return [pad_left(line, width) for line in lines]
