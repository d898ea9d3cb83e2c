import re
from dataclasses import replace

import pytest

from printing.donation_slip import preview_donation_slip, render_donation_slip
from printing.layout import columns
from tests.printing.escpos_decode import Barcode, Cut, decode
from tests.printing.samples import DONATION_SLIP, DONATION_WORDS

both_widths = pytest.mark.parametrize("width", [32, 48])


def test_a_donation_slip_on_58_mm_paper_reads_back_exactly():
    # given / when
    printout = decode(render_donation_slip(DONATION_SLIP, width=32, encoding="gb18030"))

    # then
    assert printout.texts == [
        "    爱心超市    ",
        "            捐赠回执            ",
        "--------------------------------",
        "编号               D20240518-007",
        "日期                  2024-05-18",
        "捐赠人                    李阿姨",
        "--------------------------------",
        "儿童羽绒服",
        "  九成新 x 1             ￥35.00",
        "旧书一箱（文学、历史类）",
        "  八成新 x 12             待定价",
        "Thermos flask",
        "  x 2                     ￥8.00",
        "--------------------------------",
        "件数                          15",
        "--------------------------------",
        "您捐赠的物品已售出 3 件，为社区",
        "慈善基金筹得 ￥12.50",
        "       感谢您的爱心捐赠！       ",
        "     每一件物品都在帮助邻里     ",
    ]
    title, heading = printout.lines[0], printout.lines[1]
    assert (title.width, title.height) == (2, 2)
    assert heading.bold and (heading.width, heading.height) == (1, 1)
    assert not any(line.bold for line in printout.lines[2:])


@both_widths
def test_the_reference_is_a_barcode_then_the_paper_is_cut(width):
    events = decode(render_donation_slip(DONATION_SLIP, width=width, encoding="gb18030")).events

    barcodes = [event for event in events if isinstance(event, Barcode)]
    assert barcodes == [Barcode(73, "{B" + DONATION_SLIP.reference, "below", "center")]
    assert events[-1] == Cut(partial=False)
    assert events.index(barcodes[0]) < events.index(Cut(partial=False))


@both_widths
def test_the_preview_shows_the_printed_lines_and_every_line_fits(width):
    printed = decode(render_donation_slip(DONATION_SLIP, width=width, encoding="gb18030")).lines

    preview = preview_donation_slip(DONATION_SLIP, width=width)

    assert len(preview) == len(printed)
    for shown, line in zip(preview, printed):
        assert columns(line.text) * line.width <= width
        assert shown == line.text if line.width == 1 else shown.strip() == line.text.strip()


@both_widths
def test_prices_and_not_priced_end_at_the_right_edge(width):
    texts = decode(render_donation_slip(DONATION_SLIP, width=width, encoding="gb18030")).texts

    detail_lines = [text for text in texts if re.match(r"  (\S+ )?x \d+ ", text)]

    assert [text.split()[-1] for text in detail_lines] == ["￥35.00", "待定价", "￥8.00"]
    assert all(columns(text) == width for text in detail_lines)


def test_an_anonymous_donor_and_no_impact_yet():
    # given: the caller's word for anonymous, and nothing sold yet
    slip = replace(DONATION_SLIP, donor="匿名", impact=None)

    # when
    texts = decode(render_donation_slip(slip, width=48, encoding="gb18030")).texts

    # then
    assert "捐赠人" + " " * 38 + "匿名" in texts
    assert not any("售出" in text for text in texts)
    assert texts.count("-" * 48) == 3


def test_the_slip_needs_its_words_and_an_ascii_reference():
    with pytest.raises(ValueError, match="not_priced"):
        replace(DONATION_SLIP, labels={k: v for k, v in DONATION_WORDS.items() if k != "not_priced"})
    with pytest.raises(ValueError, match="reference"):
        replace(DONATION_SLIP, reference="捐赠-007")
