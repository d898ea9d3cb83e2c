"""Text laid out in display columns: a Chinese character takes two columns of a receipt."""

import unicodedata

YUAN_SIGN = "\uffe5"  # ￥ FULLWIDTH YEN SIGN: GB18030 A3 A4, printed right by Chinese printers

# Next to a Chinese character a line may break, except after an opening bracket or a
# currency sign, or before closing punctuation: "￥12.50" and "成新）" stay whole.
_NO_BREAK_AFTER = YUAN_SIGN + "¥$（(［[【《〈「『“‘"
_NO_BREAK_BEFORE = "）)］]】》〉」』”’，,。.、！!？?：:；;％%"


def columns(text: str) -> int:
    """The display width of text: wide and fullwidth characters 2, combining marks 0, others 1."""
    return sum(_char_columns(ch) for ch in text)


def _char_columns(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most width columns; there is always at least one line.

    Latin text breaks at a space, which is dropped; a line may also break next to a
    Chinese character (not after "￥" or "（", nor before "）" or "，"); a word longer
    than a line is broken where it reaches the edge. A combining mark stays with the
    character before it.
    """
    if width < 2:
        raise ValueError("a line must be at least 2 columns wide to hold a Chinese character")
    lines: list[str] = []
    line = ""
    for ch in text:
        if columns(line) + _char_columns(ch) <= width:
            line += ch
        elif ch == " ":
            lines.append(line)
            line = ""
        else:
            end, start = _break(line, ch, width)
            lines.append(line[:end])
            line = line[start:] + ch
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
        if unicodedata.combining(after):
            continue
        if before == " " and columns(line[: position - 1]) > 0:
            return position - 1, position
        if before in _NO_BREAK_AFTER or after in _NO_BREAK_BEFORE:
            continue
        if _char_columns(before) == 2 or _char_columns(after) == 2:
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
