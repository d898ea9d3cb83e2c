from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printing.layout import columns, signed, tenths
from printing.statement import PassbookStatement, StatementRow, preview_statement, render_statement
from tests.printing.escpos_decode import Cut, decode
from tests.printing.samples import STATEMENT, STATEMENT_WORDS, STATEMENT_WORDS_EN

both_widths = pytest.mark.parametrize("width", [32, 48])
both_languages = pytest.mark.parametrize("words", [STATEMENT_WORDS, STATEMENT_WORDS_EN], ids=["zh", "en"])

def test_on_58_mm_paper_the_numbers_go_below_the_description_in_columns():
    # given / when
    printout = decode(render_statement(STATEMENT, width=32, encoding="gb18030"))

    # then
    assert printout.texts == [
        "    爱心超市    ",
        "            爱心存折            ",
        "--------------------------------",
        "会员号                   M000123",
        "姓名                      李阿姨",
        "期间    2024-05-01 至 2024-05-31",
        "--------------------------------",
        "日期       摘要",
        "         时长 积分 余额 累计时长",
        "2024-05-03 社区图书角整理",
        "          2.5  +25  125     42.5",
        "2024-05-10 爱心超市理货及捐赠物",
        "           品分拣（周末班）",
        "          4.0  +40  165     46.5",
        "2024-05-18 积分兑换：大米 5kg",
        "              -120   45     46.5",
        "--------------------------------",
        "期末余额                      45",
    ]
    assert printout.events[-1] == Cut(partial=False)
    closing = printout.lines[-1]
    assert closing.bold and closing.height == 2


def test_on_80_mm_paper_each_row_is_a_table_line_its_description_wrapped_in_its_column():
    texts = decode(render_statement(STATEMENT, width=48, encoding="gb18030")).texts

    assert texts[7:17] == [
        "日期       摘要          时长 积分 余额 累计时长",
        "2024-05-03 社区图书角整   2.5  +25  125     42.5",
        "           理                                   ",
        "2024-05-10 爱心超市理货   4.0  +40  165     46.5",
        "           及捐赠物品分                         ",
        "           拣（周末班）                         ",
        "2024-05-18 积分兑换：大       -120   45     46.5",
        "           米 5kg                               ",
        "-" * 48,
        "期末余额" + " " * 38 + "45",
    ]


def token_ends(line: str) -> list[tuple[str, int]]:
    """Each space-separated token of line and the column where it ends."""
    ends, position = [], 0
    for token in line.split(" "):
        position += columns(token)
        if token:
            ends.append((token, position))
        position += 1
    return ends


@both_widths
@both_languages
def test_every_number_ends_under_its_column_head(words, width):
    # given
    statement = replace(STATEMENT, labels=words)
    texts = decode(render_statement(statement, width=width, encoding="gb18030")).texts
    head_line = next(i for i, text in enumerate(texts) if words["hours"] in text)
    head_ends = {token: end for text in texts[head_line : head_line + 2] for token, end in token_ends(text)}
    ends = [head_ends[words[key].split()[-1]] for key in ("hours", "points", "balance", "cumulative_hours")]

    for row in statement.rows:
        # when: the line with the row's numbers (its own, or the one after its description)
        start = next(i for i, text in enumerate(texts) if text.startswith(row.date))
        line = next(text for text in texts[start:] if text.rstrip().endswith(tenths(row.cumulative_hours_tenths)))
        numbers = [signed(row.points_change), str(row.balance), tenths(row.cumulative_hours_tenths)]
        if row.hours_tenths is not None:
            numbers.insert(0, tenths(row.hours_tenths))

        # then: each number ends where its head ends
        assert token_ends(line)[-len(numbers) :] == list(zip(numbers, ends[-len(numbers) :]))


@both_widths
@both_languages
def test_long_descriptions_wrap_and_every_line_fits(words, width):
    # given
    statement = replace(STATEMENT, labels=words)

    # when
    printout = decode(render_statement(statement, width=width, encoding="gb18030"))

    # then
    assert all(columns(line.text) * line.width <= width for line in printout.lines)
    text = iter("".join(printout.texts))
    for row in statement.rows:  # each description is there, in order, around the numbers of its row
        assert all(ch in text for ch in row.description)


@both_widths
@both_languages
def test_the_preview_shows_the_printed_lines(words, width):
    statement = replace(STATEMENT, labels=words)
    printed = decode(render_statement(statement, width=width, encoding="gb18030")).lines

    preview = preview_statement(statement, width=width)

    assert len(preview) == len(printed)
    for shown, line in zip(preview, printed):
        assert shown == line.text if line.width == 1 else shown.strip() == line.text.strip()


def test_the_closing_balance_must_be_the_last_rows_balance():
    with pytest.raises(ValueError, match="closing balance"):
        replace(STATEMENT, closing_balance=46)
    with pytest.raises(ValueError, match="cumulative_hours"):
        replace(STATEMENT, labels={k: v for k, v in STATEMENT_WORDS.items() if k != "cumulative_hours"})


def test_a_period_without_rows_prints_its_heads_and_balance():
    texts = decode(render_statement(replace(STATEMENT, rows=(), closing_balance=100), width=32,
                                    encoding="gb18030")).texts

    assert texts[-4:] == ["日期 摘要", "         时长 积分 余额 累计时长", "-" * 32, "期末余额" + " " * 21 + "100"]


rows = st.lists(
    st.builds(
        StatementRow,
        date=st.sampled_from(["2024-05-03", "05-03", "3/5"]),
        description=st.text(st.sampled_from("社区图书角整理爱心超市 abcXYZ（）5kg：，"), max_size=40),
        hours_tenths=st.none() | st.integers(0, 99_999),
        points_change=st.integers(-99_999, 99_999),
        balance=st.integers(-99_999, 999_999),
        cumulative_hours_tenths=st.integers(0, 999_999),
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows, width=st.sampled_from([32, 48]), words=st.sampled_from([STATEMENT_WORDS, STATEMENT_WORDS_EN]))
def test_any_statement_fits_and_reads_back_as_its_preview(rows, width, words):
    statement = PassbookStatement("爱心超市", "M1", "李", "五月", tuple(rows), rows[-1].balance if rows else 0, words)

    printed = decode(render_statement(statement, width=width, encoding="gb18030")).lines
    preview = preview_statement(statement, width=width)

    assert all(columns(line.text) * line.width <= width for line in printed)
    assert [line.text for line in printed if line.width == 1] == [p for p, l in zip(preview, printed) if l.width == 1]
    for row in rows:  # every number is printed
        assert any(f" {row.balance} " in f" {line.text} " for line in printed)
