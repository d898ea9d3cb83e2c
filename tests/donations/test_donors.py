"""Donors on both engines: the least data, found again by name or the last digits of their phone."""

import pytest
from hypothesis import given, strategies as st

from donations.donors import find_donors, mask_phone, normalize_phone, register_donor
from donations.tables import Donor
from shop.errors import DomainError


async def test_a_donor_is_found_by_part_of_their_name_or_their_phones_last_four_digits(goods):
    li = await register_donor(shop_id=goods.shop_id, name="李 阿姨", phone="+86 138-1234-5678", may_contact=True)
    await register_donor(shop_id=goods.shop_id, name="张先生", phone="13900009999")
    anonymous = await register_donor(shop_id=goods.shop_id)
    assert (li.name, li.phone, li.may_contact) == ("李 阿姨", "13812345678", True)
    assert anonymous.anonymous and anonymous.phone == "" and not anonymous.may_contact
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="阿姨")] == [li.id]
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="5678")] == [li.id]
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="138 1234 5678")] == [li.id]
    assert await find_donors(shop_id=goods.shop_id, text="   ") == []
    assert await find_donors(shop_id=goods.shop_id, text="王") == []


async def test_consent_to_be_contacted_needs_a_phone_and_bad_input_saves_nothing(goods):
    no_phone = await register_donor(shop_id=goods.shop_id, name="王先生", may_contact=True)
    assert not no_phone.may_contact
    for kwargs, code in (({"phone": "12ab"}, "bad-phone"), ({"phone": "123"}, "bad-phone"),
                         ({"name": "长" * 101}, "bad-donor-name")):
        with pytest.raises(DomainError) as error:
            await register_donor(shop_id=goods.shop_id, **kwargs)
        assert str(error.value.code) == code
    assert await Donor.count() == 1


def test_a_phone_is_masked_but_its_last_four_digits_show():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("02112345678") == "021****5678"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""


@given(st.text(alphabet="0123456789", min_size=5, max_size=15))
def test_a_masked_phone_never_shows_more_than_seven_digits_and_keeps_its_length(digits):
    masked = mask_phone(normalize_phone(digits))
    assert len(masked) == len(digits)
    assert sum(c.isdigit() for c in masked) <= min(7, len(digits) - 2 if len(digits) < 8 else 7)
    assert masked.endswith(digits[-2:])
