"""The member card prints its number, name and card code as a CODE128 barcode the till's scanner reads."""

import pytest

from printing.layout import columns
from printing.member_card import MemberCard, preview_member_card, render_member_card
from tests.printing.escpos_decode import Barcode, Cut, decode

WORDS = {"title": "爱心储户卡", "member_number": "会员号", "member_name": "姓名",
         "note": "凭此卡在本店以积分换购，遗失请告知管理员"}
CARD = MemberCard(shop_name="爱心超市", member_number="M000123", member_name="李阿姨", card_code="LB004512345678",
                  labels=WORDS)


@pytest.mark.parametrize("width", [32, 48])
def test_the_card_prints_in_chinese_with_its_code_as_a_barcode_that_decodes_to_the_card_code(width):
    # when
    printout = decode(render_member_card(CARD, width=width, encoding="gb18030"))

    # then
    barcodes = [e for e in printout.events if isinstance(e, Barcode)]
    assert len(barcodes) == 1
    assert barcodes[0].system == 73 and barcodes[0].data == "{B" + CARD.card_code  # CODE128, code set B
    assert (barcodes[0].hri, barcodes[0].align) == ("below", "center")
    texts = [t.strip() for t in printout.texts]
    assert "爱心储户卡" in texts and "爱心超市" in texts
    number_line = next(line for line in printout.lines if "M000123" in line.text)
    assert number_line.text.startswith("会员号") and number_line.bold
    assert any(t.startswith("姓名") and t.endswith("李阿姨") for t in texts)
    assert "凭此卡在本店以积分换购，遗失请告知管理员"[:6] in "".join(texts[-3:])
    assert all(columns(line.text) * line.width <= width for line in printout.lines)
    assert printout.events[-1] == Cut(partial=False)


def test_the_preview_shows_the_printed_lines_and_the_code():
    preview = preview_member_card(CARD, width=32)
    printed = [line.text for line in decode(render_member_card(CARD, width=32, encoding="gb18030")).lines]
    assert [p.strip() for p in preview if "LB004512345678" not in p] == [t.strip() for t in printed]
    assert any("LB004512345678" in p for p in preview)


def test_a_card_code_that_cannot_be_a_barcode_is_refused():
    with pytest.raises(ValueError, match="card code"):
        MemberCard("爱心超市", "M1", "李", "卡号", WORDS)
    with pytest.raises(ValueError, match="note"):
        MemberCard("爱心超市", "M1", "李", "LB1", {k: v for k, v in WORDS.items() if k != "note"})


def test_the_card_is_made_for_the_printers_profile_its_paper_barcodes_and_cutter():
    from printing.profiles import PrinterProfile
    from tests.printing.escpos_decode import Feed, Image

    # when the card is made for a 58 mm printer with no cutter that cannot draw barcodes
    profile = PrinterProfile(columns=32, cut=False, native_barcodes=False)
    printout = decode(render_member_card(CARD, width=48, encoding="gb18030", profile=profile))
    # then it is laid out on 32 columns as for width 32, its code is an image (its characters printed under it),
    # and the paper is fed, not cut
    plain = decode(render_member_card(CARD, width=32, encoding="gb18030"))
    assert [t for t in printout.texts if t.strip() != CARD.card_code] == plain.texts and "-" * 32 in plain.texts
    assert not any(isinstance(e, Barcode) for e in printout.events)
    assert any(isinstance(e, Image) for e in printout.events)
    assert Feed(4) in printout.events and not any(isinstance(e, Cut) for e in printout.events)
