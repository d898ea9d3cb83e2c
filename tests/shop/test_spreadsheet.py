"""Cells a person opens in a spreadsheet show text and never run it as a formula."""

from hypothesis import given, strategies as st

from shop.spreadsheet import spreadsheet_text, unguarded


def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote():
    assert spreadsheet_text('=HYPERLINK("http://x","点我")') == '\'=HYPERLINK("http://x","点我")'
    assert spreadsheet_text("-2+3") == "'-2+3"
    assert spreadsheet_text("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_text("社区助老补贴") == "社区助老补贴"
    assert spreadsheet_text("") == ""


@given(st.text(max_size=30))
def test_unguarded_gives_back_what_was_written(text):
    guarded = spreadsheet_text(text)
    assert not guarded.startswith(tuple("=+-@\t\r"))
    assert unguarded(guarded) == text or (text[:1] == "'" and text[1:2] in tuple("=+-@\t\r"))
