"""Text laid out in columns as a Chinese printer counts them: a Chinese character takes two."""

import unicodedata
from collections.abc import Sequence
from functools import cache

from printing.printable import zero_width

YUAN_SIGN = "\uffe5"  # ￥ FULLWIDTH YEN SIGN: GB18030 A3 A4, printed right by Chinese printers

# Next to a Chinese character a line may break, except after an opening bracket or a
# currency sign, or before closing punctuation: "￥12.50" and "成新）" stay whole.
_NO_BREAK_AFTER = YUAN_SIGN + "¥$（(［[【《〈「『“‘"
_NO_BREAK_BEFORE = "）)］]】》〉」』”’，,。.、！!？?：:；;％%"


def columns(text: str) -> int:
    """The columns text takes on a Chinese printer: ASCII 1, marks 0, any other character 2."""
    if text.isascii():
        return len(text)
    return sum(map(_char_columns, text))


@cache  # every receipt of every sale counts its characters: each one's count is looked up once
def _char_columns(ch: str) -> int:
    """One character's columns, as a printer in Chinese mode (FS &) prints it.

    ASCII is one byte, one column; a combining mark or format character is none. Every
    other character is two: GBK sends it as two bytes, which print two columns wide --
    ambiguous ones too ("·", "—", "°", "“", "①", "é"), which Unicode calls narrow -- or it
    is wide, or GBK lacks it (emoji, "𠀀") and it goes as the two-column placeholder
    (printing/printable.py). A printer not in Chinese mode prints an ambiguous one in one
    column: the line comes out a column short, never wrapped.
    """
    if ch.isascii():
        return 1
    return 0 if zero_width(ch) else 2


def _wide(ch: str) -> bool:
    """A Chinese (wide or fullwidth) character, next to which a line may break; "é" or "·" are
    two columns too, but "Café" stays whole."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most width columns; there is always at least one line.

    Latin text breaks at a space, which is dropped; a line may also break next to a
    Chinese character (not after "￥" or "（", nor before "）" or "，"); a word longer
    than a line is broken where it reaches the edge. A combining mark stays with the
    character before it.
    """
    if width < 2:
        raise ValueError("a line must be at least 2 columns wide to hold a Chinese character")
    if columns(text) <= width:  # most lines of a receipt fit as they are
        return [text]
    lines: list[str] = []
    line = ""
    used = 0  # columns(line)
    for ch in text:
        if used + _char_columns(ch) <= width:
            line += ch
            used += _char_columns(ch)
        elif ch == " ":
            lines.append(line)
            line, used = "", 0
        else:
            end, start = _break(line, ch, width)
            lines.append(line[:end])
            line = line[start:] + ch
            used = columns(line)
    lines.append(line)
    return lines


def _break(line: str, next_char: str, width: int) -> tuple[int, int]:
    """Where a full line ends before next_char: (end of this line, start of the next one).

    The last place where a break is allowed: at a space (dropped), or next to a wide
    character; else right before next_char. The line kept is never blank and the rest
    fits on the next line.
    """
    chars = line + next_char
    for position in range(len(line), 0, -1):
        if columns(line[:position]) == 0 or columns(chars[position:]) > width:
            break
        before, after = chars[position - 1], chars[position]
        if zero_width(after):
            continue
        if before == " " and columns(line[: position - 1]) > 0:
            return position - 1, position
        if before in _NO_BREAK_AFTER or after in _NO_BREAK_BEFORE:
            continue
        if _wide(before) or _wide(after):
            return position, position
    return len(line), len(line)


def pad_right(text: str, width: int) -> str:
    """text followed by spaces up to width columns; text already as wide comes back as is."""
    return text + " " * max(0, width - columns(text))


def pad_left(text: str, width: int) -> str:
    """text preceded by spaces up to width columns; text already as wide comes back as is."""
    return " " * max(0, width - columns(text)) + text


def center(text: str, width: int) -> str:
    """text in the middle of width columns (an odd space goes to the right)."""
    room = max(0, width - columns(text))
    return " " * (room // 2) + text + " " * (room - room // 2)


def two_columns(left: str, right: str, width: int) -> list[str]:
    """left wrapped to width, right aligned to the right edge on left's last line.

    When right does not fit beside left's last line (one space apart), it goes on its own
    line(s), still right-aligned.
    """
    lines = wrap(left, width)
    last = lines[-1]
    separator = 1 if last else 0
    if columns(last) + separator + columns(right) <= width:
        lines[-1] = last + pad_left(right, width - columns(last))
    else:
        lines += [pad_left(part, width) for part in wrap(right, width)]
    return lines


def yuan(fen: int) -> str:
    """An amount of money as printed: 1250 -> "￥12.50", -300 -> "-￥3.00"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{YUAN_SIGN}{whole}.{cents:02d}"


def signed(number: int) -> str:
    """A change as printed: 25 -> "+25", -120 -> "-120", 0 -> "0"."""
    return f"{number:+d}" if number else "0"


def signed_yuan(fen: int) -> str:
    """An amount that may go either way: 200 -> "+￥2.00", -200 -> "-￥2.00", 0 -> "￥0.00"."""
    return ("+" if fen > 0 else "") + yuan(fen)


def tenths(value: int) -> str:
    """A quantity counted in tenths (hours), as printed: 25 -> "2.5", 120 -> "12.0", -5 -> "-0.5"."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    return f"{sign}{whole}.{tenth}"


def table_row(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> list[str]:
    """One row of a table: each cell wrapped in its column, columns one space apart.

    A row is as many lines as its tallest cell; a cell is padded to its column's width, on
    the left where right is true (numbers), else on the right. Every line is
    sum(widths) + len(widths) - 1 columns wide.
    """
    if not len(cells) == len(widths) == len(right):
        raise ValueError("a table row needs one width and one alignment per cell")
    wrapped = [wrap(cell, width) for cell, width in zip(cells, widths)]
    lines = []
    for number in range(max(len(parts) for parts in wrapped)):
        texts = [parts[number] if number < len(parts) else "" for parts in wrapped]
        lines.append(
            " ".join(
                pad_left(text, width) if is_right else pad_right(text, width)
                for text, width, is_right in zip(texts, widths, right)
            )
        )
    return lines
