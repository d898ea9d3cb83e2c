"""Text for files a person opens in Excel or WPS: the BOM that makes them read UTF-8 (Chinese), and
the guard that keeps a cell from running as a formula.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to a spreadsheet, so a
name, a location or a manager's reason typed as "=HYPERLINK(…)" would run on the accountant's
machine. Such text is written with a leading ' (shown as text, the quote hidden); an import takes
it off again.
"""

BOM = "\ufeff"
_FORMULA_STARTS = tuple("=+-@\t\r")


def spreadsheet_text(text: str) -> str:
    """Free text as a spreadsheet cell that shows it and never runs it."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def unguarded(text: str) -> str:
    """A cell as it was written before spreadsheet_text guarded it."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_STARTS else text
