"""Paper that fits (issue 21): every document laid out in the columns a Chinese printer prints.

In Chinese mode (FS &) a GBK printer prints each two-byte character two columns wide, "·" and
"“" included, so a line's GBK byte length is its printed width. Every document kind is rendered
with names full of "·" and "“”" at 32 and 48 columns, decoded, and no line may be wider than
the paper. A name with an emoji and a character of CJK Extension B prints the placeholder "□",
never four GB18030 bytes that a GBK printer prints as garbage.
"""

import re
from dataclasses import replace

import pytest

from printing.documents import NoticeCode, ReceiptLine, render_receipt
from printing.donation_slip import DonationItem, render_donation_slip
from printing.escpos import EscPos
from printing.item_labels import render_labels
from printing.layout import columns, pad_left, two_columns, wrap
from printing.member_card import MemberCard, render_member_card
from printing.printable import PLACEHOLDER, for_gbk, printable, unprintable
from printing.profiles import PrinterProfile
from printing.raster_text import find_font, line_image
from printing.refund_slip import RefundSlip, RefundSlipLine, RefundTender, render_refund_slip
from printing.staff_card import StaffCard, render_staff_card
from printing.statement import StatementRow, render_statement
from printing.test_page import render_test_page
from printing.till_report import render_till_report
from printing.voucher import Voucher, render_voucher
from printing.wish_list import WishLine, WishList, render_wish_list
from tests.printing.escpos_decode import Line, decode
from tests.printing.receipts import CHINESE_RECEIPT
from tests.printing.samples import COAT, DONATION_SLIP, NOODLES, STATEMENT, Z_REPORT

SHOP = "爱心超市·幸福里·社区店"  # the shop's name as config.toml may hold it
DOTTED = "阿依古丽·买买提·艾力"  # a Uyghur name, written with the middle dot
QUOTED = "“爱心妈妈”手工编织杯垫·大号·粉色（九成新）"
STRANGE = "王😀𠀀"  # an emoji and U+20000: four bytes in GB18030, not in GBK
STRANGE_PRINTED = "王□□"
FOUR_BYTES = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]")

SLIP_WORDS = {
    "title": "退货单", "void": "退货单（作废）", "return_number": "退货单号", "sale_number": "原销售单号",
    "time": "时间", "till": "收银台", "cashier": "收银员", "total": "退货合计", "cash": "退现金",
    "points": "退还积分（{points} 分）", "member": "储户号", "fund_share": "慈善基金退回 {amount}",
}
CARD_WORDS = {"title": "爱心储户卡", "member_number": "会员号", "member_name": "姓名", "note": "凭卡积分兑换·服务时长存入"}
VOUCHER_WORDS = {"title": "服务兑换券", "number": "券号", "service": "服务", "provider": "服务者", "points": "积分",
                 "member_number": "会员号", "date": "日期", "note": "凭券到店兑换·请妥善保管"}
WISH_WORDS = {"title": "心愿单", "date": "日期", "count": "共 {count} 个心愿", "none": "暂无心愿",
              "note": "认领心愿请到服务台·谢谢"}
STAFF_WORDS = {"title": "工作证", "name": "姓名", "role": "岗位", "note": "换人时扫码·再输入 PIN"}


def _sale():
    return replace(CHINESE_RECEIPT, shop_name=SHOP, cashier=STRANGE, lines=(
        ReceiptLine(QUOTED, quantity=2, unit_price_fen=800, amount_fen=1600),
        ReceiptLine(DOTTED + "的手工围巾·灰色", quantity=1, unit_price_fen=123450, amount_fen=123450),
        *CHINESE_RECEIPT.lines))


def receipt(width: int) -> bytes:
    return render_receipt(_sale(), profile=chinese(width))


def receipt_with_notice(width: int) -> bytes:
    """The same receipt with the fund's notice: its line over a QR code, drawn by the printer."""
    notice = NoticeCode("本次购物为社区慈善基金贡献 ¥12.78·“公示”", "https://aixin.example.org/notice?month=2024-05")
    return render_receipt(replace(_sale(), notice=notice), profile=chinese(width))


def refund_slip(width: int) -> bytes:
    slip = RefundSlip(shop_name=SHOP, return_number="R00000007", sale_number="S00000042", time="2024-05-18 15:10",
                      till="T1 一号收银台·东门", cashier=STRANGE,
                      lines=(RefundSlipLine(QUOTED, 1, 3500), RefundSlipLine(DOTTED + "·手工包", 2, 1600)),
                      refunds=(RefundTender("points", 2000, 20, "M000123"), RefundTender("cash", 3100)),
                      fund_fen=2550, labels=SLIP_WORDS)
    return render_refund_slip(slip, profile=chinese(width))


def till_report(width: int) -> bytes:
    return render_till_report(replace(Z_REPORT, shop_name=SHOP, cashier=STRANGE, till="1号·东门"),
                              profile=chinese(width))


def donation_slip(width: int) -> bytes:
    slip = replace(DONATION_SLIP, shop_name=SHOP, donor=DOTTED + STRANGE, items=(
        DonationItem(QUOTED, "九成新", 1, 3500), *DONATION_SLIP.items))
    return render_donation_slip(slip, profile=chinese(width))


def statement(width: int) -> bytes:
    rows = (*STATEMENT.rows, StatementRow("2024-05-20", QUOTED + "·" + DOTTED, 30, 30, 75, 495))
    return render_statement(replace(STATEMENT, shop_name=SHOP, member_name=DOTTED + STRANGE, rows=rows,
                                    closing_balance=75), profile=chinese(width))


def member_card(width: int) -> bytes:
    card = MemberCard(shop_name=SHOP, member_number="M000123", member_name=DOTTED + STRANGE,
                      card_code="LB004512345678", labels=CARD_WORDS)
    return render_member_card(card, profile=chinese(width))


def labels(width: int) -> bytes:
    return render_labels([replace(COAT, name=QUOTED), replace(NOODLES, name=STRANGE + "·" + DOTTED)],
                         profile=chinese(width))


def voucher(width: int) -> bytes:
    ticket = Voucher(shop_name=SHOP, number="V000042", service="理发·洗头·“爱心”套餐", provider=DOTTED + STRANGE,
                     points=120, member_number="M000123", date="2024-05-18", labels=VOUCHER_WORDS)
    return render_voucher(ticket, profile=chinese(width))


def wish_list(width: int) -> bytes:
    wishes = WishList(shop_name=SHOP, printed_on="2024-05-18", labels=WISH_WORDS, wishes=(
        WishLine("W000012", "2024-05-10", "物品·衣物", "待认领", QUOTED + "，给" + DOTTED + "家的孩子"),
        WishLine("W000013", "2024-05-11", "服务", "已认领", STRANGE + "需要修水管·周末上门"),
    ))
    return render_wish_list(wishes, profile=chinese(width))


def staff_card(width: int) -> bytes:
    card = StaffCard(shop_name=SHOP, name=DOTTED + STRANGE, role="收银员·理货员", badge="ST000007", labels=STAFF_WORDS)
    return render_staff_card(card, profile=chinese(width))


DOCUMENTS = [receipt, receipt_with_notice, refund_slip, till_report, donation_slip, statement, member_card, labels, voucher, wish_list,
             staff_card]


def chinese(width: int) -> PrinterProfile:
    return PrinterProfile(encoding="gb18030", chinese_mode=True, columns=width)


def printed_columns(line: Line) -> int:
    """A line's width on paper: its GBK bytes (one column each in Chinese mode), times its width multiplier."""
    return len(line.raw.decode("gbk").encode("gbk")) * line.width


@pytest.mark.parametrize("width", [32, 48])
@pytest.mark.parametrize("render", DOCUMENTS, ids=lambda render: render.__name__)
def test_no_line_of_any_document_is_wider_than_the_paper(render, width):
    # given / when
    data = render(width)
    printout = decode(data)

    # then: every line in Chinese mode, as GBK (strict: no four-byte GB18030 sequence), within the paper
    too_wide = [(line.text, printed_columns(line)) for line in printout.lines if printed_columns(line) > width]
    assert too_wide == []
    assert all(line.chinese_mode for line in printout.lines if not line.raw.isascii())
    assert all(columns(line.text) * line.width <= width for line in printout.lines)
    # the names with "·" and “” came through whole, the unprintable ones as the placeholder
    text = "".join(printout.texts).replace(" ", "")
    assert "·" in text and PLACEHOLDER * 2 in text
    assert "😀" not in text and "𠀀" not in text
    assert not any(FOUR_BYTES.search(line.raw) for line in printout.lines)
    assert "😀".encode("gb18030") not in data and "𠀀".encode("gb18030") not in data


def test_the_test_page_fits_58_mm_paper_but_its_48_column_ruler():
    printout = decode(render_test_page(title="Aixin printer test", connection="tcp://192.168.1.50:9100"))

    # the UTF-8 candidate sends 3 bytes for each 2 columns: its line is measured by what it prints
    too_wide = [line.text for line in printout.lines if len(line.raw) > 32 and not line.raw.startswith(b"3. ")]
    assert too_wide == ["----+----1----+----2----+----3----+----4----[48]"]
    [utf8] = [line.raw.decode("utf-8") for line in printout.lines if line.raw.startswith(b"3. ")]
    assert columns(utf8) <= 32


def test_columns_count_as_a_chinese_printer_prints():
    # ASCII one column, marks none
    assert columns("Aixin 12.50") == 11
    assert columns("e\u0301") == 1
    # every character GBK sends as two bytes is two columns, the ambiguous ones too
    for ch in "·—°×±“”①→■é中，￥":
        assert (columns(ch), len(ch.encode("gbk"))) == (2, 2), ch
    # wide characters GBK lacks count as the two-column placeholder they print as
    assert columns("😀") == columns("𠀀") == columns(PLACEHOLDER) == len(PLACEHOLDER.encode("gbk")) == 2
    assert columns("爱心超市·幸福里店") == 18


def test_a_line_breaks_by_printed_columns_and_keeps_latin_words_whole():
    # given: 14 characters, the dot among them: 28 columns (counting the dot as one fitted it in 27)
    name = "爱心超市·幸福里社区服务中心"

    # then
    assert columns(name) == 28
    assert wrap(name, 27) == ["爱心超市·幸福里社区服务中", "心"]
    assert wrap("Café crème brûlée", 12) == ["Café crème", "brûlée"]
    assert two_columns("“爱心”杯垫", "￥8.00", 19) == ["“爱心”杯垫 ￥8.00"]
    assert two_columns("“爱心”杯垫", "￥8.00", 18) == ["“爱心”杯垫", " " * 12 + "￥8.00"]
    assert pad_left("·", 4) == "  ·"


def test_characters_a_gbk_printer_lacks_are_named_and_print_as_the_placeholder():
    # given
    name = "王😀\ufe0f𠀀·李€e\u0301"

    # then: the emoji, the rare character and € are named once each; marks are left out, not replaced
    assert unprintable(name) == ["😀", "𠀀", "€"]
    assert unprintable("阿依古丽·买买提 “爱心” ① é") == []
    assert for_gbk(name) == "王□□·李□e"
    assert printable("·") and printable("A") and not printable("😀")
    # and so a line of them takes the columns it was laid out in
    job = EscPos(profile=chinese(32))
    job.text_line(name)
    [line] = decode(job.output()).lines
    assert line.text == "王□□·李□e" and len(line.raw) == columns(name) == 13


@pytest.mark.usefixtures("cjk_font")
def test_as_pictures_a_character_the_font_lacks_is_drawn_as_the_placeholder_in_the_same_cells():
    # given: wqy-microhei has neither the emoji nor U+20000
    path = find_font()

    # when
    drawn = line_image("王😀𠀀·", columns=32, font=path)

    # then
    assert drawn.tobytes() == line_image("王□□·", columns=32, font=path).tobytes()
    assert drawn.tobytes() != line_image("王□□", columns=32, font=path).tobytes()
