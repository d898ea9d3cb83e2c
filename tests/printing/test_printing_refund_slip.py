"""The refund slip (退货单): its Chinese read back, the return number's barcode, the drawer only when cash goes out."""

from dataclasses import replace

import pytest

from printing.layout import columns
from printing.refund_slip import RefundSlip, RefundSlipLine, RefundTender, preview_refund_slip, render_refund_slip
from tests.printing.escpos_decode import Barcode, Cut, Drawer, decode

SLIP_WORDS = {
    "title": "退货单", "void": "退货单（作废）", "return_number": "退货单号", "sale_number": "原销售单号",
    "time": "时间", "till": "收银台", "cashier": "收银员", "total": "退货合计", "cash": "退现金",
    "points": "退还积分（{points} 分）", "member": "储户号", "fund_share": "慈善基金退回 {amount}", "copy": "重打",
}
SPLIT_SLIP = RefundSlip(
    shop_name="爱心超市", return_number="R00000007", sale_number="S00000042", time="2024-05-18 15:10",
    till="T1 一号收银台", cashier="王小红",
    lines=(RefundSlipLine("儿童羽绒服（九成新）", 1, 3500), RefundSlipLine("手工编织杯垫", 2, 1600)),
    refunds=(RefundTender("points", 2000, 20, "M000123"), RefundTender("cash", 3100)),
    fund_fen=2550, labels=SLIP_WORDS,
)
POINTS_ONLY = replace(SPLIT_SLIP, refunds=(RefundTender("points", 5100, 51, "M000123"),))
both_widths = pytest.mark.parametrize("width", [32, 48])


def drawers(data: bytes) -> list[Drawer]:
    return [event for event in decode(data).events if isinstance(event, Drawer)]


def test_a_split_tender_refund_slip_on_58_mm_paper_reads_back_exactly():
    # given / when
    printout = decode(render_refund_slip(SPLIT_SLIP, width=32, encoding="gb18030"))

    # then
    assert printout.texts == [
        "    爱心超市    ",
        "             退货单             ",
        "--------------------------------",
        "退货单号               R00000007",
        "原销售单号             S00000042",
        "时间            2024-05-18 15:10",
        "收银台             T1 一号收银台",
        "收银员                    王小红",
        "--------------------------------",
        "儿童羽绒服（九成新）",
        "  x 1                    ￥35.00",
        "手工编织杯垫",
        "  x 2                    ￥16.00",
        "--------------------------------",
        "退货合计                 ￥51.00",
        "退还积分（20 分）        ￥20.00",
        "储户号                   M000123",
        "退现金                   ￥31.00",
        "--------------------------------",
        "慈善基金退回 ￥25.50",
    ]
    barcodes = [event for event in printout.events if isinstance(event, Barcode)]
    assert barcodes == [Barcode(73, "{B" + "R00000007", "below", "center")]  # CODE128 set B, as the receipt's
    assert Cut(partial=False) in printout.events


@both_widths
def test_every_line_fits_the_paper_and_is_gb18030(width):
    printout = decode(render_refund_slip(SPLIT_SLIP, width=width, encoding="gb18030"))

    for line in printout.lines:
        assert columns(line.text) * line.width <= width
        assert line.raw.decode("gb18030") == line.text


def test_a_cash_refund_kicks_the_drawer_once_after_the_cut():
    events = decode(render_refund_slip(SPLIT_SLIP, width=48, encoding="gb18030")).events

    assert events[-1] == Drawer(pin=2, on_ms=100, off_ms=100)
    assert isinstance(events[-2], Cut)


def test_a_points_only_refund_leaves_the_drawer_shut():
    assert drawers(render_refund_slip(POINTS_ONLY, width=48, encoding="gb18030")) == []


def test_a_copy_says_so_at_the_top_and_never_kicks_the_drawer():
    # given
    copy = replace(SPLIT_SLIP, copy=True)

    # when
    printout = decode(render_refund_slip(copy, width=32, encoding="gb18030"))

    # then
    assert printout.texts[0].strip() == "** 重打 **"
    assert printout.lines[0].width == 2 and printout.lines[0].height == 2
    assert printout.texts[1] == "=" * 32
    assert printout.texts[2:] == decode(render_refund_slip(SPLIT_SLIP, width=32, encoding="gb18030")).texts
    assert drawers(render_refund_slip(copy, width=32, encoding="gb18030")) == []
    assert preview_refund_slip(copy, width=32)[0].strip() == "** 重打 **"


def test_a_void_says_so_in_its_title():
    texts = decode(render_refund_slip(replace(SPLIT_SLIP, void=True), width=32, encoding="gb18030")).texts

    assert texts[1].strip() == "退货单（作废）"


def test_the_preview_is_the_printed_text():
    printed = decode(render_refund_slip(SPLIT_SLIP, width=48, encoding="gb18030")).texts
    preview = preview_refund_slip(SPLIT_SLIP, width=48)

    assert preview[0] == " " * 20 + "爱心超市" + " " * 20  # double width on paper: centred on the full width
    assert preview[1:] == printed[1:]


def test_an_english_slip_keeps_its_chinese_item_names():
    # given
    english = replace(SPLIT_SLIP, labels={
        "title": "Refund slip", "void": "Refund slip (VOID)", "return_number": "Return No.",
        "sale_number": "Sale No.", "time": "Time", "till": "Till", "cashier": "Cashier", "total": "Return total",
        "cash": "Cash refunded", "points": "Points refunded ({points})", "member": "Member No.",
        "fund_share": "Taken back from the community charity fund: {amount}"}, void=True)

    # when
    texts = decode(render_refund_slip(english, width=48, encoding="gb18030")).texts

    # then
    assert texts[1].strip() == "Refund slip (VOID)"
    assert "儿童羽绒服（九成新）" in texts
    assert any(text.startswith("Points refunded (20)") and text.endswith("￥20.00") for text in texts)
    assert any(text.startswith("Cash refunded") and text.endswith("￥31.00") for text in texts)


def test_labels_and_the_return_number_are_checked():
    with pytest.raises(ValueError, match="refund slip labels missing: void"):
        replace(SPLIT_SLIP, labels={k: v for k, v in SLIP_WORDS.items() if k != "void"})
    with pytest.raises(ValueError, match="barcode"):
        replace(SPLIT_SLIP, return_number="退货7")
    with pytest.raises(ValueError, match="cash or points"):
        replace(SPLIT_SLIP, refunds=(RefundTender("cheque", 100),))


def test_a_slip_that_leaves_something_owed_says_so_and_others_do_not():
    # given a return that no whole point could pay back in full (pos/refunds.py): ¥3.00 stays owed
    owed = replace(SPLIT_SLIP, owed_fen=300, labels={**SLIP_WORDS, "owed": "尚欠您 {amount}，其余商品退回时一并退还"})

    # when
    texts = [t.strip() for t in decode(render_refund_slip(owed, width=48, encoding="gb18030")).texts]

    # then
    assert "尚欠您 ￥3.00，其余商品退回时一并退还" in texts
    assert not any("尚欠" in t for t in decode(render_refund_slip(SPLIT_SLIP, width=48)).texts)
    with pytest.raises(ValueError):
        replace(SPLIT_SLIP, owed_fen=300)  # no words to say it with
