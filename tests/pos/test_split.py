import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.split import SplitRule, rule_in_force, split_value


@st.composite
def rules(draw):
    fund = draw(st.integers(0, 100))
    maker = draw(st.integers(0, 100 - fund))
    return SplitRule(fund, maker)


@given(price=st.integers(0, 10_000_000), quantity=st.integers(1, 9_999), rule=rules())
def test_parts_are_whole_fen_adding_up_exactly_to_the_line(price, quantity, rule):
    value = price * quantity
    parts = split_value(value, rule)
    assert parts.fund_fen + parts.maker_fen + parts.running_fen == value
    for part, percent in ((parts.fund_fen, rule.fund), (parts.maker_fen, rule.maker), (parts.running_fen, rule.running)):
        assert abs(part * 100 - value * percent) < 100  # within one fen of the exact share
        assert part >= 0


@given(value=st.integers(0, 10**9), rule=rules())
def test_a_refund_reverses_the_split_exactly(value, rule):
    sale, refund = split_value(value, rule), split_value(-value, rule)
    assert (refund.fund_fen, refund.maker_fen, refund.running_fen) == (-sale.fund_fen, -sale.maker_fen, -sale.running_fen)


def test_the_most_particular_rule_wins_and_no_maker_means_no_maker_share():
    source = SplitRule(10, 80)
    assert rule_in_force(source_rule=source, has_maker=True) == SplitRule(10, 80)
    assert rule_in_force(source_rule=source, category_fund=20, category_maker=70, has_maker=True) == SplitRule(20, 70)
    assert rule_in_force(source_rule=source, category_fund=20, category_maker=70, maker_fund=5, maker_maker=90,
                         has_maker=True) == SplitRule(5, 90)
    assert rule_in_force(source_rule=source, has_maker=False) == SplitRule(10, 0)


def test_a_rule_over_100_percent_is_refused():
    with pytest.raises(ValueError):
        SplitRule(60, 50)
