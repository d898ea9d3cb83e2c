"""Chinese as pictures: the layout of text, drawn with a CJK font, 384 dots on 58 mm and 576 on 80 mm."""

import pytest

from printing.documents import render_receipt
from printing.profiles import PrinterProfile, PrinterSetupError, SetupError
from printing.raster_text import FONT_CANDIDATES, find_font, line_image, text_image
from tests.printing.escpos_decode import Image, decode
from tests.printing.receipts import CHINESE_RECEIPT


def dark_rows(image: Image) -> list[int]:
    return [y for y in range(image.height) if any(image.dot(x, y) for x in range(image.width))]


@pytest.mark.usefixtures("cjk_font")
@pytest.mark.parametrize(("width", "dots"), [(32, 384), (48, 576)])
def test_the_receipt_as_pictures_is_as_wide_as_the_paper_and_has_text(width, dots):
    # when
    printout = decode(render_receipt(CHINESE_RECEIPT, profile=PrinterProfile(
        encoding="cp437", chinese_mode=False, columns=width, raster_chinese=True)))

    # then
    images = [event for event in printout.events if isinstance(event, Image)]
    assert images
    for image in images:
        assert image.width == dots
        assert image.height % 30 == 0  # whole lines of 30 dots (a double-height line: 60)
        assert dark_rows(image)  # something is drawn


def test_a_line_is_drawn_in_its_columns(cjk_font):
    # given: the sample at the start of a 32-column line
    image = line_image("爱心超市 ￥12.50 谢谢惠顾", columns=32, font=cjk_font)

    # then: 384 dots wide, 30 high; ink where the 25 columns of text are, none after them
    assert image.size == (384, 30)
    ink = [x for x in range(image.width) for y in range(image.height) if image.getpixel((x, y)) == 0]
    assert min(ink) < 12 and 24 * 12 <= max(ink) < 25 * 12
    assert not any(image.getpixel((x, y)) == 0 for x in range(25 * 12, 384) for y in range(30))


def test_double_size_lines_are_twice_as_high_and_every_line_has_ink(cjk_font):
    image = text_image([("合计", False, 1, 1), ("合计 ￥5.00", True, 2, 2)], columns=48, font=cjk_font)
    assert image.size == (576, 90)
    for top, bottom in ((0, 30), (30, 90)):
        assert any(image.getpixel((x, y)) == 0 for x in range(576) for y in range(top, bottom))


def test_a_configured_font_that_is_missing_names_the_setting(tmp_path):
    with pytest.raises(SetupError) as refused:
        find_font(str(tmp_path / "no-such-font.ttc"))
    assert refused.value.code == PrinterSetupError.NO_RASTER_FONT
    assert refused.value.params["key"] == "printer.raster_font"


def test_without_a_configured_font_the_usual_places_are_searched(cjk_font):
    assert find_font("") in [path for path, _ in FONT_CANDIDATES]
    assert find_font(cjk_font) == cjk_font
