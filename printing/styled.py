"""Styled lines: every document is laid out once as (style, text) lines, which the printer and the preview both take.

A document's layout generator yields these; `print_lines` turns them into ESC/POS and
`preview` into the text the browser shows, so paper and screen cannot drift apart.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import EscPos
from printing.layout import center, wrap


@dataclass(frozen=True)
class Style:
    bold: bool = False
    double_width: bool = False
    double_height: bool = False


PLAIN = Style()
BOLD = Style(bold=True)
TITLE = Style(double_width=True, double_height=True)
TOTAL = Style(bold=True, double_height=True)

StyledLine = tuple[Style, str]


def print_lines(job: EscPos, lines: Iterable[StyledLine]) -> None:
    """Print the lines, switching bold and size only where they change; ends in the plain style."""
    current = PLAIN
    for style, text in lines:
        _switch(job, current, style)
        current = style
        job.text_line(text)
    _switch(job, current, PLAIN)


def _switch(job: EscPos, current: Style, style: Style) -> None:
    if style.bold != current.bold:
        job.bold(style.bold)
    if (style.double_width, style.double_height) != (current.double_width, current.double_height):
        job.size(double_width=style.double_width, double_height=style.double_height)


def preview(lines: Iterable[StyledLine], width: int) -> list[str]:
    """The lines' text as it stands on paper width columns wide: a double-width line shows centred."""
    return [center(text.strip(" "), width) if style.double_width else text for style, text in lines]


def plain(texts: Iterable[str], style: Style = PLAIN) -> Iterator[StyledLine]:
    for text in texts:
        yield style, text


def title(text: str, width: int) -> Iterator[StyledLine]:
    """text in double width and height, wrapped and centred on half as many columns."""
    for part in wrap(text, width // 2):
        yield TITLE, center(part, width // 2)


def centred(text: str, width: int, style: Style = PLAIN) -> Iterator[StyledLine]:
    """Each paragraph of text (one a line) wrapped and each line centred; no line for no text."""
    for paragraph in text.splitlines():
        for part in wrap(paragraph, width):
            yield style, center(part, width)


def check_labels(document: str, labels: Mapping[str, str], keys: Iterable[str]) -> None:
    """ValueError naming the words missing from labels."""
    missing = [key for key in keys if key not in labels]
    if missing:
        raise ValueError(f"{document} labels missing: {', '.join(missing)}")


def check_code128(what: str, data: str) -> None:
    """ValueError unless data can be a CODE128 barcode (printable ASCII)."""
    if not (data and data.isascii() and data.isprintable()):
        raise ValueError(f"the {what} is printed as a barcode: printable ASCII, not {data!r}")
