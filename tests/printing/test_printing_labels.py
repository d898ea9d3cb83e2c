import io
import re
from dataclasses import replace

import pytest
from barcode import EAN13
from PIL import Image as PILImage

from printing.item_labels import Label, label_png, label_svg, preview_label, render_labels
from printing.layout import columns, yuan
from tests.printing.escpos_decode import Barcode, Cut, Feed, Image, decode
from tests.printing.samples import CODES, COAT, LABEL_WORDS, NOODLES, picture, scan

both_widths = pytest.mark.parametrize("width", [32, 48])
PAPER_DOTS = {32: 384, 48: 576}


def label_with(code: str) -> Label:
    return replace(COAT, barcode=code)


def bar_runs(picture_: PILImage.Image, y: int) -> list[tuple[int, int]]:
    """(colour, length) runs along row y: 0 black, 1 white."""
    runs: list[tuple[int, int]] = []
    for x in range(picture_.width):
        colour = 0 if picture_.getpixel((x, y)) == 0 else 1
        if runs and runs[-1][0] == colour:
            runs[-1] = (colour, runs[-1][1] + 1)
        else:
            runs.append((colour, 1))
    return runs


@both_widths
@pytest.mark.parametrize("code", CODES)
def test_a_raster_label_scans_as_its_code(code, width):
    # given / when
    events = decode(render_labels([label_with(code)], width=width, encoding="gb18030", barcode_mode="raster")).events

    # then: one image, as wide as the paper, that zbar reads as the stored code
    [image] = [event for event in events if isinstance(event, Image)]
    assert (image.width, image.density) == (PAPER_DOTS[width], 0)
    assert scan(picture(image)) == [("EAN13", code)]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("code", CODES)
def test_the_png_preview_scans_as_its_code(code, dpi):
    png = label_png(label_with(code), dpi=dpi)

    with PILImage.open(io.BytesIO(png)) as preview:
        assert preview.format == "PNG"
        assert scan(preview) == [("EAN13", code)]


@both_widths
def test_raster_bars_are_whole_modules_of_three_dots(width):
    # given: 0.2 mm bars (1.6 dots) failed to scan on thermal printers; 2 dots (0.25 mm) is the least
    [image] = [e for e in decode(render_labels([NOODLES], width=width, encoding="gb18030",
                                               barcode_mode="raster")).events if isinstance(e, Image)]
    drawing = picture(image)

    # when: a row through the bars
    runs = bar_runs(drawing, 20)

    # then: every bar and space is 1-4 modules of exactly 3 dots, the quiet zones white, centred
    inner = runs[1:-1]
    assert runs[0][0] == runs[-1][0] == 1
    assert all(length % 3 == 0 and 3 <= length <= 12 for _, length in inner)
    assert sum(length for _, length in inner) == 95 * 3
    assert abs(runs[0][1] - runs[-1][1]) <= 1


def test_the_png_at_203_dpi_is_the_printed_image():
    # given
    [image] = [e for e in decode(render_labels([NOODLES], width=32, encoding="gb18030",
                                               barcode_mode="raster")).events if isinstance(e, Image)]
    printed = picture(image)

    # when
    with PILImage.open(io.BytesIO(label_png(NOODLES))) as png:
        left = (printed.width - png.width) // 2
        shown = png.convert("1")

        # then: the printed image is the PNG with white margins
        assert printed.crop((left, 0, left + png.width, png.height)).tobytes() == shown.tobytes()
        assert printed.height == png.height


def modules_of_svg(svg: str) -> str:
    """The bars of python-barcode's SVG as a string of modules ("1" black, "0" white)."""
    width = float(re.search(r'<svg[^>]* width="([\d.]+)mm"', svg)[1])
    bars = [(float(x), float(w)) for x, w in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)]
    bars = [(x, w) for x, w in bars if w < width]  # the first rect is the background
    module = min(w for _, w in bars)
    start = bars[0][0]
    modules = ["0"] * round((bars[-1][0] + bars[-1][1] - start) / module)
    for x, w in bars:
        for i in range(round((x - start) / module), round((x + w - start) / module)):
            modules[i] = "1"
    return "".join(modules)


def test_the_svg_preview_has_the_bars_of_the_code():
    # given
    svg = label_svg(NOODLES).decode("utf-8")
    png = PILImage.open(io.BytesIO(label_png(NOODLES)))

    # when
    png_modules = "".join(("1" if colour == 0 else "0") * (length // 3) for colour, length in bar_runs(png, 20)[1:-1])

    # then: the SVG draws the same bars as the PNG that scans, in millimetres (3 dots at 203 dpi)
    assert svg.startswith("<?xml") and "<svg" in svg
    assert modules_of_svg(svg) == png_modules
    assert len(png_modules) == 95
    assert re.search(r'<svg[^>]* width="4[0-9.]+mm"', svg)  # 117 modules of 0.375 mm: 43.9 mm
    assert ">6901234567892<" in svg


@both_widths
@pytest.mark.parametrize("code", CODES)
def test_a_native_label_asks_the_printer_for_its_ean13(code, width):
    events = decode(render_labels([label_with(code)], width=width, encoding="gb18030", barcode_mode="native")).events

    [barcode] = [event for event in events if isinstance(event, Barcode)]
    assert barcode == Barcode(2, code, "below", "center")  # GS k 2 (EAN13, function A), digits below
    assert barcode.module_dots == 3 and barcode.height_dots == 80
    assert not any(isinstance(event, Image) for event in events)


@pytest.mark.parametrize("mode", ["native", "raster"])
def test_a_batch_is_one_job_with_a_cut_after_each_label(mode):
    # given
    batch = [label_with(code) for code in CODES]

    # when
    printout = decode(render_labels(batch, width=32, encoding="gb18030", barcode_mode=mode))

    # then
    barcodes = [event for event in printout.events if isinstance(event, (Barcode, Image))]
    cuts = [event for event in printout.events if isinstance(event, Cut)]
    assert len(barcodes) == len(cuts) == len(CODES)
    if mode == "native":
        assert [barcode.data for barcode in barcodes] == list(CODES)
    else:
        assert [scan(picture(image)) for image in barcodes] == [[("EAN13", code)] for code in CODES]
    assert printout.texts.count(preview_label(COAT, width=32)[0]) == len(CODES)
    assert printout.events[-1] == Cut(partial=False)


def test_labels_on_a_label_roll_are_fed_apart_and_cut_once():
    printout = decode(render_labels([COAT, NOODLES, COAT], width=32, encoding="gb18030", barcode_mode="native",
                                    separator="feed"))

    assert [event for event in printout.events if isinstance(event, Cut)] == [Cut(partial=False)]
    assert printout.events.count(Feed(3)) == 2


def test_python_barcode_would_print_another_code_for_a_wrong_check_digit():
    # the hazard: python-barcode "corrects" the check digit without a word
    assert EAN13("6901234567891").get_fullcode() == "6901234567892"


@pytest.mark.parametrize("mode", ["native", "raster"])
def test_a_wrong_check_digit_is_refused_not_printed(mode):
    # a label cannot be made with one
    with pytest.raises(ValueError, match="check digit"):
        Label("毛衣", 1000, "6901234567891", "2611", LABEL_WORDS)

    # and the renderer checks again, before a single byte: nothing of the batch prints
    bad = replace(NOODLES)
    object.__setattr__(bad, "barcode", "2000000000016")
    with pytest.raises(ValueError, match="check digit"):
        render_labels([COAT, bad], width=32, encoding="gb18030", barcode_mode=mode)
    with pytest.raises(ValueError, match="check digit"):
        label_png(bad)
    with pytest.raises(ValueError, match="check digit"):
        label_svg(bad)


@pytest.mark.parametrize("code", ["690123456789", "69012345678920", "69012345678a2", "６９０１２３４５６７８９２", ""])
def test_a_code_that_is_not_13_digits_is_refused(code):
    with pytest.raises(ValueError, match="13 digits"):
        replace(NOODLES, barcode=code)


@both_widths
@pytest.mark.parametrize("label", [COAT, NOODLES], ids=["coat", "noodles"])
@pytest.mark.parametrize("mode", ["native", "raster"])
def test_the_preview_shows_the_printed_lines_and_they_fit(label, mode, width):
    printed = decode(render_labels([label], width=width, encoding="gb18030", barcode_mode=mode)).lines

    preview = preview_label(label, width=width)

    assert len(preview) == len(printed)
    for shown, line in zip(preview, printed):
        assert columns(line.text) * line.width <= width
        assert shown == line.text if line.width == 1 else shown.strip() == line.text.strip()
    assert preview[0].strip() == label.name
    assert any(line.strip() == f"售价 {yuan(label.price_fen)}" for line in preview)


def test_the_label_reads_back_in_chinese():
    printout = decode(render_labels([COAT], width=32, encoding="gb18030", barcode_mode="native"))

    assert [text.strip() for text in printout.texts] == ["儿童羽绒服（九成新）", "童装", "售价 ￥35.00", "日期 2611"]
    name, price = printout.lines[0], printout.lines[2]
    assert name.bold and (price.width, price.height) == (2, 2)


def test_label_words_are_required_and_a_batch_is_not_empty():
    with pytest.raises(ValueError, match="date_code"):
        Label("毛衣", 1000, "6901234567892", "2611", {"price": "售价"})
    with pytest.raises(ValueError, match="no labels"):
        render_labels([], width=32, encoding="gb18030", barcode_mode="native")
    with pytest.raises(ValueError, match="barcode_mode"):
        render_labels([COAT], width=32, encoding="gb18030", barcode_mode="laser")  # type: ignore[arg-type]
