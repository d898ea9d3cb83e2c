"""Donors on both engines: the least data, found again by name or the last digits of their phone."""

import pytest
from hypothesis import given, strategies as st

from donations.donors import find_donors, register_donor
from shop.people import mask_phone, normalize_phone, shown_phone
from shop.staff import Role
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
    assert await find_donors(shop_id=goods.shop_id, text="138 1234 5678") == []  # a whole phone is not a search
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
    assert mask_phone("62345678") == "****5678"  # a landline: never seven of its eight digits
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""


@pytest.mark.parametrize("reader, shown", [(Role.MANAGER, "13812345678"), (Role.ADMIN, "13812345678"),
                                           (Role.COORDINATOR, "138****5678"), (Role.INTAKE, "138****5678"),
                                           (Role.CASHIER, "138****5678")])
def test_a_phone_is_whole_only_for_a_manager_or_an_admin(reader, shown):
    assert shown_phone("13812345678", reader) == shown


@given(st.text(alphabet="0123456789", min_size=5, max_size=15))
def test_a_masked_phone_never_shows_more_than_seven_digits_and_keeps_its_length(digits):
    masked = mask_phone(normalize_phone(digits))
    assert len(masked) == len(digits)
    assert sum(c.isdigit() for c in masked) <= min(7, len(digits) - 2 if len(digits) < 8 else 7)
    assert masked.endswith(digits[-2:])


async def test_a_phone_is_found_by_its_last_four_digits_only_and_never_by_digits_inside_it(goods):
    # given: two donors whose phones share digits in the middle
    ends = await register_donor(shop_id=goods.shop_id, name="甲", phone="13800001234")
    await register_donor(shop_id=goods.shop_id, name="乙", phone="13912345678")
    # when / then: four digits find the phone ending with them, and no other
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="1234")] == [ends.id]
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="12-34")] == [ends.id]
    # digits from the middle, more or fewer than four, or the start of a phone find nobody
    for text in ("0000", "3800", "2345", "123", "01234", "13800001234", "138", "5678 9"):
        assert await find_donors(shop_id=goods.shop_id, text=text) == [], text


async def test_like_wildcards_typed_into_a_search_match_only_themselves(goods):
    # given
    percent = await register_donor(shop_id=goods.shop_id, name="100% 棉")
    underscore = await register_donor(shop_id=goods.shop_id, name="a_b")
    slash = await register_donor(shop_id=goods.shop_id, name="c\\d")
    await register_donor(shop_id=goods.shop_id, name="axb", phone="13800001234")
    await register_donor(shop_id=goods.shop_id, name="王阿姨")
    # then: %, _ and the escape character are letters, not wildcards
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="%")] == [percent.id]
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="_")] == [underscore.id]
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="\\")] == [slash.id]
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="c\\d")] == [slash.id]
    for text in ("%%", "%1234", "_%", "\\%", "a%b", "1_34"):
        assert await find_donors(shop_id=goods.shop_id, text=text) == [], text


async def test_a_latin_name_is_found_in_any_case(goods):
    anna = await register_donor(shop_id=goods.shop_id, name="Anna Lee")
    assert [d.id for d in await find_donors(shop_id=goods.shop_id, text="aNNa")] == [anna.id]
