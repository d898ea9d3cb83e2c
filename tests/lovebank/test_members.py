"""Love-bank members on both engines: opened with a number and a card code, found at the till by either."""

import pytest

from lovebank.passbook import find_members, member_for_till, open_member, points_of
from lovebank.tables import Member
from shop.errors import DomainError
from web.problems import status_of


async def test_a_member_is_found_at_the_till_by_card_code_or_number_trimmed_and_in_any_case(goods):
    # given
    li = await open_member(shop_id=goods.shop_id, name="李 阿姨", phone="138 1234 5678", staff_id=goods.manager_id)
    # then
    assert li.number == f"M{li.id:06d}" and li.card_code.startswith("LB") and len(li.card_code) == 14
    assert li.phone == "13812345678" and li.is_open
    for code in (li.card_code, f"  {li.card_code.lower()} ", li.number, li.number.lower(), str(li.id), f" m{li.id} "):
        found = await member_for_till(code=code)
        assert (found.id, found.number, found.name, found.points) == (li.id, li.number, "李 阿姨", 0)
    assert await points_of(li.id) == 0


async def test_an_unknown_code_or_a_closed_member_is_refused_at_the_till(goods):
    li = await open_member(shop_id=goods.shop_id, name="李阿姨")
    for code in ("", "   ", "LB000", "M999999", "x" * 40):
        with pytest.raises(DomainError) as error:
            await member_for_till(code=code)
        assert (str(error.value.code), status_of(error.value)) == ("unknown-member", 404)
    await Member.update({Member.status: "closed"}).where(Member.id == li.id)
    with pytest.raises(DomainError) as error:
        await member_for_till(code=li.card_code)
    assert (str(error.value.code), status_of(error.value)) == ("member-closed", 409)


async def test_members_are_found_by_name_number_or_the_phones_last_four_digits_and_wildcards_are_letters(goods):
    # given
    ends = await open_member(shop_id=goods.shop_id, name="李阿姨", phone="13800001234")
    other = await open_member(shop_id=goods.shop_id, name="张_先生", phone="13912345678")
    percent = await open_member(shop_id=goods.shop_id, name="100%志愿者")

    async def found(text: str) -> list[int]:
        return [m.id for m in await find_members(text=text)]

    # then: the last four digits, a part of the name, the number, the card code
    assert await found("1234") == [ends.id]
    assert await found("阿姨") == [ends.id]
    assert await found(other.number) == [other.id] and await found(other.card_code) == [other.id]
    # never digits inside a phone, nor a whole phone
    for text in ("0000", "3800", "2345", "13800001234", "138 0000"):
        assert await found(text) == [], text
    # % and _ match only themselves
    assert await found("%") == [percent.id]
    assert await found("_") == [other.id]
    assert await found("%%") == [] and await found("李_") == []
