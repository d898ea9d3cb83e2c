import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printing.layout import center, columns, pad_left, pad_right, signed, signed_yuan, table_row, tenths, two_columns, wrap, yuan

widths = st.integers(min_value=2, max_value=60)
# Latin, Chinese, fullwidth punctuation, spaces and combining marks, mixed
receipt_text = st.text(
    st.one_of(
        st.sampled_from("ab xyz  ￥（）,，。0123456789"),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
        st.sampled_from("\u0301\u0308"),
        st.characters(exclude_categories=("Cs",)),
    )
)


def from_yuan(printed: str) -> int:
    match = re.fullmatch(r"(-?)\uffe5(\d+)\.(\d\d)", printed)
    assert match, printed
    sign = -1 if match[1] else 1
    return sign * (int(match[2]) * 100 + int(match[3]))


def test_a_chinese_character_takes_two_columns():
    assert columns("爱心超市") == 8
    assert columns("Aixin 5") == 7
    assert columns("￥12.50") == 7
    assert columns("（九成新）") == 10
    assert columns("e\u0301") == 1


def test_yuan_uses_the_fullwidth_sign():
    assert yuan(1250) == "\uffe512.50"
    assert yuan(-300) == "-￥3.00"
    assert yuan(5) == "￥0.05"
    assert yuan(0) == "￥0.00"
    assert yuan(123456789) == "￥1234567.89"
    assert "\u00a5" not in yuan(1250)


@given(st.integers())
def test_yuan_round_trips(fen):
    assert from_yuan(yuan(fen)) == fen


def test_latin_breaks_at_spaces_and_long_words_at_the_edge():
    assert wrap("Thank you for shopping", 10) == ["Thank you", "for", "shopping"]
    assert wrap("supercalifragilistic", 8) == ["supercal", "ifragili", "stic"]
    assert wrap("", 8) == [""]


def test_chinese_breaks_anywhere_but_keeps_punctuation_and_amounts_whole():
    assert wrap("儿童羽绒服（九成新）", 8) == ["儿童羽绒", "服（九成", "新）"]
    assert wrap("红烧牛肉面 5连包", 10) == ["红烧牛肉面", "5连包"]
    assert wrap("本次购物为社区慈善基金贡献 ￥12.78", 32) == ["本次购物为社区慈善基金贡献", "￥12.78"]
    assert wrap("捐赠总额￥12.78元", 12) == ["捐赠总额", "￥12.78元"]
    assert wrap("a（中", 3) == ["a（", "中"]  # no allowed break leaves a rest that fits


@given(receipt_text, widths)
def test_wrapped_lines_fit_and_lose_only_break_spaces(text, width):
    lines = wrap(text, width)

    assert all(columns(line) <= width for line in lines)
    # the input is the lines joined, each break having dropped at most one space
    pattern = " ?".join(re.escape(line) for line in lines)
    assert re.fullmatch(pattern, text, flags=re.DOTALL)


def test_padding_and_centring_count_columns():
    assert pad_right("合计", 6) == "合计  "
    assert pad_left("合计", 6) == "  合计"
    assert center("爱心", 9) == "  爱心   "
    assert center("toolong", 4) == "toolong"


@given(receipt_text, widths)
def test_padded_text_fills_the_width(text, width):
    for padded in (pad_left(text, width), pad_right(text, width), center(text, width)):
        assert columns(padded) == max(width, columns(text))
        assert text in padded


def test_two_columns_puts_the_amount_at_the_right_edge():
    assert two_columns("合计", "￥63.90", 16) == ["合计     ￥63.90"]
    assert two_columns("手工编织杯垫两件", "￥16.00", 16) == ["手工编织杯垫两件", "         ￥16.00"]
    assert two_columns("", "4", 5) == ["    4"]


@given(receipt_text, receipt_text, widths)
def test_two_columns_fit_and_keep_the_right_text_on_the_right(left, right, width):
    lines = two_columns(left, right, width)

    assert all(columns(line) <= width for line in lines)
    left_lines = wrap(left, width)
    assert lines[: len(left_lines) - 1] == left_lines[:-1]
    assert lines[len(left_lines) - 1].startswith(left_lines[-1])
    if columns(right) <= width:
        assert lines[-1].endswith(right)
        assert columns(lines[-1]) == width


@pytest.mark.parametrize("width", [0, 1])
def test_a_line_narrower_than_a_chinese_character_is_refused(width):
    with pytest.raises(ValueError):
        wrap("爱", width)


def test_tenths_signed_and_signed_yuan():
    assert [tenths(n) for n in (25, 120, 0, 5, -5, 12345)] == ["2.5", "12.0", "0.0", "0.5", "-0.5", "1234.5"]
    assert [signed(n) for n in (25, -120, 0)] == ["+25", "-120", "0"]
    assert [signed_yuan(n) for n in (200, -200, 0)] == ["+￥2.00", "-￥2.00", "￥0.00"]


def test_a_table_row_wraps_each_cell_in_its_column():
    assert table_row(["2024-05-10", "爱心超市理货", "4.0", "+40"], [10, 8, 4, 4], [False, False, True, True]) == [
        "2024-05-10 爱心超市  4.0  +40",
        "           理货              ",
    ]


@given(st.lists(st.tuples(receipt_text, st.integers(2, 12), st.booleans()), min_size=1, max_size=5))
def test_table_rows_keep_their_columns(cells):
    texts, widths, right = zip(*cells)

    lines = table_row(list(texts), list(widths), list(right))

    assert all(columns(line) == sum(widths) + len(widths) - 1 for line in lines)
    assert len(lines) == max(len(wrap(text, width)) for text, width in zip(texts, widths))
