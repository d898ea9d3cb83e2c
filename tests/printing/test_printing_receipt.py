import io
import re
from dataclasses import replace

import pytest
from PIL import Image as PILImage

from printing.documents import preview_lines, render_receipt
from printing.layout import columns, wrap, yuan
from tests.printing.escpos_decode import Barcode, Cut, Drawer, Image, decode
from tests.printing.receipts import CHINESE_LABELS, CHINESE_RECEIPT, ENGLISH_LABELS, ENGLISH_RECEIPT
from tests.printing.samples import picture

both_receipts = pytest.mark.parametrize("receipt", [CHINESE_RECEIPT, ENGLISH_RECEIPT], ids=["zh", "en"])
both_widths = pytest.mark.parametrize("width", [32, 48])


def test_a_chinese_receipt_on_58_mm_paper_reads_back_exactly():
    # given / when
    printout = decode(render_receipt(CHINESE_RECEIPT, width=32, encoding="gb18030"))

    # then
    assert printout.texts == [
        "    爱心超市    ",
        "北京市朝阳区幸福路12号社区服务中",
        "             心一层             ",
        "--------------------------------",
        "销售单号          S20240518-0042",
        "时间            2024-05-18 14:32",
        "收银员                    王小红",
        "--------------------------------",
        "儿童羽绒服（九成新）",
        "  1 x ￥35.00            ￥35.00",
        "手工编织杯垫",
        "  2 x ￥8.00             ￥16.00",
        "红烧牛肉面 5连包",
        "  1 x ￥12.90            ￥12.90",
        "--------------------------------",
        "件数                           4",
        "合计                     ￥63.90",
        "现金                    ￥100.00",
        "找零                     ￥36.10",
        "--------------------------------",
        "本次购物为社区慈善基金贡献",
        "￥12.78",
        "      谢谢惠顾，欢迎再来！      ",
    ]
    title, total = printout.lines[0], printout.lines[16]
    assert (title.width, title.height, title.bold) == (2, 2, False)
    assert (total.width, total.height, total.bold) == (1, 2, True)
    assert all((line.width, line.height, line.bold) == (1, 1, False) for line in printout.lines[1:16])


@both_receipts
@both_widths
def test_every_line_fits_the_paper(receipt, width):
    printout = decode(render_receipt(receipt, width=width, encoding="gb18030"))

    assert all(columns(line.text) * line.width <= width for line in printout.lines)


@both_receipts
@both_widths
def test_amounts_end_at_the_right_edge(receipt, width):
    # given
    texts = decode(render_receipt(receipt, width=width, encoding="gb18030")).texts
    labels = receipt.labels

    # when
    amount_lines = {
        yuan(receipt.total_fen): next(t for t in texts if t.startswith(labels["total"] + " ")),
        yuan(receipt.cash_given_fen): next(t for t in texts if t.startswith(labels["cash"] + " ")),
        yuan(receipt.change_fen): next(t for t in texts if t.startswith(labels["change"] + " ")),
    }
    for item in receipt.lines:
        quantity = f"  {item.quantity} x {yuan(item.unit_price_fen)}"
        amount_lines[yuan(item.amount_fen)] = next(t for t in texts if t.startswith(quantity))

    # then
    for amount, text in amount_lines.items():
        assert text.endswith(" " + amount)
        assert columns(text) == width


@both_receipts
@both_widths
def test_chinese_and_the_yuan_sign_print_intact(receipt, width):
    # given
    data = render_receipt(receipt, width=width, encoding="gb18030")
    text = "\n".join(decode(data).texts)

    # then
    for item in receipt.lines:
        assert item.name in text
    assert receipt.cashier in text
    assert "￥" in text
    assert "\u00a5" not in text and "\ufffd" not in text
    # every printed line is sent in Chinese mode: FS & ... FS . LF
    assert data.count(b"\n") == data.count(b"\x1c.\n") == len(decode(data).lines)
    name = re.escape("红烧牛肉面 5连包".encode("gb18030"))
    assert re.search(rb"\x1c&" + name + rb"\x1c\.\n", data)


@both_receipts
@both_widths
def test_the_fund_share_shows_its_amount(receipt, width):
    texts = decode(render_receipt(receipt, width=width, encoding="gb18030")).texts
    fund_share = receipt.labels["fund_share"].replace("{amount}", yuan(receipt.fund_fen))

    lines = wrap(fund_share, width)

    start = texts.index(lines[0])
    assert texts[start : start + len(lines)] == lines
    assert yuan(receipt.fund_fen) in " ".join(lines)


def test_no_fund_share_line_when_nothing_went_to_the_fund():
    receipt = replace(CHINESE_RECEIPT, fund_fen=0)

    texts = decode(render_receipt(receipt, width=48, encoding="gb18030")).texts

    assert not any("基金" in text for text in texts)


@both_receipts
@both_widths
def test_the_sale_number_is_a_printer_barcode_then_the_paper_is_cut(receipt, width):
    events = decode(render_receipt(receipt, width=width, encoding="gb18030")).events

    barcodes = [event for event in events if isinstance(event, Barcode)]
    assert barcodes == [Barcode(73, "{B" + receipt.sale_number, "below", "center")]
    assert events.index(barcodes[0]) < events.index(Cut(partial=False))
    drawers = [event for event in events if isinstance(event, Drawer)]
    assert drawers == ([Drawer(pin=2, on_ms=100, off_ms=100)] if receipt.open_drawer else [])


def test_the_drawer_opens_only_when_asked():
    closed = render_receipt(replace(CHINESE_RECEIPT, open_drawer=False), width=32, encoding="gb18030")
    opened = render_receipt(CHINESE_RECEIPT, width=32, encoding="gb18030")

    assert not any(isinstance(event, Drawer) for event in decode(closed).events)
    assert opened == closed + b"\x1bp\x00\x32\x32"


@both_receipts
@both_widths
def test_the_same_receipt_gives_the_same_bytes(receipt, width):
    first = render_receipt(receipt, width=width, encoding="gb18030")

    assert render_receipt(receipt, width=width, encoding="gb18030") == first


@both_receipts
@both_widths
def test_the_preview_shows_the_printed_lines(receipt, width):
    printed = decode(render_receipt(receipt, width=width, encoding="gb18030")).lines

    preview = preview_lines(receipt, width=width)

    assert len(preview) == len(printed)
    for shown, line in zip(preview, printed):
        if line.width == 2:  # double width: centred on the paper
            assert shown.strip() == line.text.strip() and columns(shown) == width
        else:
            assert shown == line.text


@both_receipts
@both_widths
def test_a_western_printer_prints_readable_ascii(receipt, width):
    # given / when
    printout = decode(render_receipt(receipt, width=width, encoding="cp437"))

    # then
    text = "\n".join(printout.texts)
    assert text.isascii()
    assert f"Y{yuan(receipt.total_fen)[1:]}" in text
    assert "????" in text  # the Chinese noodles
    assert all(columns(line.text) * line.width <= width for line in printout.lines)


def test_the_english_receipt_reads_in_english():
    texts = decode(render_receipt(ENGLISH_RECEIPT, width=48, encoding="gb18030")).texts

    assert [text.strip() for text in texts[:2]] == ["Aixin Charity", "Supermarket"]  # 24 wide
    assert "Total" + " " * 36 + "￥36.90" in texts
    assert texts[-4:-2] == ["This purchase gave ￥7.38 to the community", "charity fund"]
    assert texts[-2:] == [f"{'Thank you!':^48}", f"{'Every purchase helps a neighbour.':^48}"]
    assert not any(text.startswith("Items") for text in texts)


def test_labels_must_be_complete_and_the_fund_share_must_show_the_amount():
    with pytest.raises(ValueError, match="total"):
        replace(CHINESE_RECEIPT, labels={k: v for k, v in CHINESE_LABELS.items() if k != "total"})
    with pytest.raises(ValueError, match="amount"):
        replace(CHINESE_RECEIPT, labels=CHINESE_LABELS | {"fund_share": "谢谢支持慈善"})


def png(image: PILImage.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def black_box(image: Image) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the printed dots."""
    box = picture(image).point(lambda value: 255 - value).getbbox()
    assert box is not None
    return box


@both_widths
def test_a_logo_prints_first_centred_and_shrunk_to_the_paper_keeping_its_shape(width):
    # given: a logo much wider than any paper, 4:1
    logo = png(PILImage.new("RGB", (1000, 250), "black"))

    # when
    printout = decode(render_receipt(replace(CHINESE_RECEIPT, logo=logo), width=width, encoding="gb18030"))

    # then: one image right after ESC @, as wide as the paper, entirely the logo
    image = printout.events[1]
    assert isinstance(image, Image) and sum(isinstance(event, Image) for event in printout.events) == 1
    dots = width * 12
    assert (image.width, image.height) == (dots, dots // 4)
    assert black_box(image) == (0, 0, dots, dots // 4)


@both_widths
def test_a_small_logo_is_centred_not_enlarged(width):
    # given
    logo = png(PILImage.new("RGB", (100, 50), "black"))

    # when
    [image] = [e for e in decode(render_receipt(replace(CHINESE_RECEIPT, logo=logo), width=width,
                                                encoding="gb18030")).events if isinstance(e, Image)]

    # then
    left, top, right, bottom = black_box(image)
    assert (right - left, bottom - top) == (100, 50)
    assert left == width * 12 - right  # as much paper on either side


def test_a_grey_logo_is_dithered_and_transparency_is_paper():
    # given: mid-grey on the left half, transparent on the right
    logo = PILImage.new("RGBA", (200, 100), (0, 0, 0, 0))
    logo.paste((128, 128, 128, 255), (0, 0, 100, 100))

    # when
    [image] = [e for e in decode(render_receipt(replace(CHINESE_RECEIPT, logo=png(logo)), width=32,
                                                encoding="gb18030")).events if isinstance(e, Image)]

    # then: about half the dots of the grey half print, none of the transparent half
    left = (384 - 200) // 2
    grey = sum(image.dot(x, y) for x in range(left, left + 100) for y in range(100))
    clear = sum(image.dot(x, y) for x in range(left + 100, left + 200) for y in range(100))
    assert 0.4 < grey / 10_000 < 0.6
    assert clear == 0


def test_a_tall_logo_is_at_most_30_mm_high():
    logo = png(PILImage.new("L", (100, 1000), 0))

    [image] = [e for e in decode(render_receipt(replace(CHINESE_RECEIPT, logo=logo), width=48,
                                                encoding="gb18030")).events if isinstance(e, Image)]

    left, top, right, bottom = black_box(image)
    assert (right - left, bottom - top) == (24, 240)


def test_a_jpeg_logo_prints_too():
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 32), "black").save(buffer, format="JPEG")

    [image] = [e for e in decode(render_receipt(replace(CHINESE_RECEIPT, logo=buffer.getvalue()), width=32,
                                                encoding="gb18030")).events if isinstance(e, Image)]

    assert black_box(image) == (160, 0, 224, 32)


@both_receipts
@both_widths
def test_the_logo_leaves_the_text_and_the_preview_as_they_were(receipt, width):
    # given
    logo = png(PILImage.new("RGB", (120, 60), "black"))
    plain = render_receipt(receipt, width=width, encoding="gb18030")

    # when
    with_logo = render_receipt(replace(receipt, logo=logo), width=width, encoding="gb18030")

    # then: the same bytes, after the image
    assert with_logo.startswith(b"\x1b@\x1dv0\x00")
    assert with_logo.endswith(plain[2:])
    assert decode(with_logo).lines == decode(plain).lines
    assert preview_lines(replace(receipt, logo=logo), width=width) == preview_lines(receipt, width=width)


def test_a_logo_that_is_not_an_image_is_refused():
    with pytest.raises(ValueError, match="logo"):
        render_receipt(replace(CHINESE_RECEIPT, logo=b"<svg/>"), width=32, encoding="gb18030")


def test_a_reprint_says_so_at_the_top_and_never_opens_the_drawer():
    # given: a cash sale's receipt, which opened the drawer when it first printed
    copy = replace(CHINESE_RECEIPT, copy=True, labels={**CHINESE_LABELS, "copy": "重打"})
    original = decode(render_receipt(CHINESE_RECEIPT, width=32, encoding="gb18030"))

    # when
    printout = decode(render_receipt(copy, width=32, encoding="gb18030"))

    # then
    assert printout.texts[0].strip() == "** 重打 **"
    assert (printout.lines[0].width, printout.lines[0].height) == (2, 2)
    assert printout.texts[1] == "=" * 32
    assert printout.texts[2:] == original.texts
    assert any(isinstance(event, Drawer) for event in original.events)
    assert not any(isinstance(event, Drawer) for event in printout.events)
    assert preview_lines(copy, width=32)[0].strip() == "** 重打 **"


def test_an_english_reprint_says_copy():
    copy = replace(ENGLISH_RECEIPT, copy=True, labels={**ENGLISH_LABELS, "copy": "COPY"})

    assert decode(render_receipt(copy, width=48, encoding="gb18030")).texts[0].strip() == "** COPY **"
