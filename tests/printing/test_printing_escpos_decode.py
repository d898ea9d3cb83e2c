"""The test decoder must refuse what it does not understand, or the receipt tests prove nothing."""

import pytest

from tests.printing.escpos_decode import Barcode, DecodeError, Line, decode


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
