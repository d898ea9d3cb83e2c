"""The test decoder must refuse what it does not understand, or the receipt tests prove nothing."""

import pytest

from tests.printing.escpos_decode import Barcode, DecodeError, Image, Line, decode


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x1b@\x1bZ",  # unknown ESC command
        b"\x1d\x28k",  # unknown GS command
        b"\x1cC",  # unknown FS command
        b"abc\x07\n",  # stray control byte
        b"\x1c&\xb0\n",  # half a GB18030 character
        b"\x1c&\xff\xff\n",  # not GB18030
        b"\x1bt\x63A\n",  # unknown code page
        b"\x1dk\x49\x09{BS1",  # barcode shorter than its length
        b"\x1dk\x04AB",  # barcode without its NUL
        b"unended",  # text never printed
        b"\x1b",  # command cut off
        b"\x1dv1\x00\x01\x00\x01\x00\xff",  # GS v other than GS v 0
        b"\x1dv0\x05\x01\x00\x01\x00\xff",  # unknown raster density
        b"\x1dv0\x00\x02\x00\x02\x00\xff\xff\xff",  # raster shorter than its size
        b"\x1dv0\x00\x00\x00\x01\x00",  # raster of no width
        b"ab\x1dv0\x00\x01\x00\x01\x00\xff\n",  # raster inside unprinted text
        b"\x1dk\x02690123456789X\x00",  # EAN-13 (function A) with a letter
        b"\x1dk\x43\x0569012",  # EAN-13 (function B) too short
        b"\x1dw\x09",  # module width out of range
        b"\x1dh\x00",  # barcode of no height
    ],
)
def test_garbage_is_refused(garbage):
    with pytest.raises(DecodeError):
        decode(garbage)


def test_both_barcode_forms_and_styles_are_read():
    printout = decode(
        b"\x1b@\x1ba\x01\x1dH\x02\x1dk\x04A12B\x00\x1dk\x49\x04{B12"
        + b"\x1b!\x38x\n\x1b!\x00\x1d!\x11\x1c&\xb0\xae\x1c.\n"
    )

    assert printout.events[1:] == [
        Barcode(4, "A12B", "below", "center"),
        Barcode(73, "{B12", "below", "center"),
    ]
    assert printout.lines == [Line("x", True, 2, 2, "center"), Line("爱", False, 2, 2, "center")]


def test_a_raster_image_and_an_ean13_are_read():
    printout = decode(
        b"\x1b@\x1ba\x01\x1dv0\x00\x02\x00\x02\x00\x80\x01\xff\x00"
        + b"\x1dh\x50\x1dw\x03\x1dH\x02\x1dk\x026901234567892\x00\x1dk\x43\x0d6901234567892"
    )

    image = printout.events[1]
    assert image == Image(width=16, height=2, bits=b"\x80\x01\xff\x00", density=0, align="center")
    assert [image.dot(x, 0) for x in (0, 1, 14, 15)] == [True, False, False, True]
    assert all(image.dot(x, 1) == (x < 8) for x in range(16))
    assert printout.events[2:] == [
        Barcode(2, "6901234567892", "below", "center"),
        Barcode(67, "6901234567892", "below", "center"),
    ]
    assert (printout.events[2].module_dots, printout.events[2].height_dots) == (3, 80)
