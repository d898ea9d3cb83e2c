import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.barcodes import check_digit, in_store_code, is_in_store, normalize_barcode
from inventory.errors import InventoryError
from shop.errors import DomainError


@pytest.mark.parametrize("code", ["6901234567892", "4006381333931", "96385074", "036000291452"])
def test_real_codes_pass_their_check_digit(code):
    assert normalize_barcode(code).endswith(code)


def test_upc_a_is_kept_as_its_ean_13_form():
    assert normalize_barcode("036000291452") == "0036000291452"
    assert normalize_barcode(" 6901234-567892 ") == "6901234567892"


@pytest.mark.parametrize("code", ["6901234567893", "96385075", "036000291453"])
def test_a_wrong_check_digit_is_refused(code):
    with pytest.raises(DomainError) as caught:
        normalize_barcode(code)
    assert caught.value.code is InventoryError.BAD_CHECK_DIGIT


@pytest.mark.parametrize("code", ["", "abc", "12345", "69012345678921", "６９０１２３４５６７８９２", "S00000001"])
def test_what_is_not_a_barcode_is_refused(code):
    with pytest.raises(DomainError) as caught:
        normalize_barcode(code)
    assert caught.value.code is InventoryError.MALFORMED_BARCODE


@given(st.integers(min_value=1, max_value=10**10 - 1))
def test_in_store_codes_are_valid_ean13_in_the_restricted_range(sequence):
    code = in_store_code(sequence)
    assert len(code) == 13 and code.startswith("20") and is_in_store(code)
    assert normalize_barcode(code) == code


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 9))
def test_exactly_one_check_digit_is_accepted(body, last):
    code = body + str(last)
    if last == check_digit(body):
        assert normalize_barcode(code) == code
    else:
        with pytest.raises(DomainError):
            normalize_barcode(code)
