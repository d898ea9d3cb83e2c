import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.money import MAX_FEN, allocate, format_yuan, parse_yuan

weights = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6).filter(lambda w: sum(w) > 0)


@given(total=st.integers(min_value=-MAX_FEN, max_value=MAX_FEN), weights=weights)
def test_allocate_parts_add_up_exactly_and_stay_within_one_fen_of_the_exact_share(total, weights):
    # when
    parts = allocate(total, weights)
    # then
    assert sum(parts) == total
    assert len(parts) == len(weights)
    denominator = sum(weights)
    for part, weight in zip(parts, weights):
        exact_times_d = total * weight  # the exact share is exact_times_d / denominator
        assert abs(part * denominator - exact_times_d) < denominator
        if weight == 0:
            assert part == 0


@given(total=st.integers(min_value=0, max_value=MAX_FEN), weights=weights)
def test_allocate_of_a_refund_is_the_exact_opposite_of_the_sale(total, weights):
    assert allocate(-total, weights) == [-p for p in allocate(total, weights)]


def test_allocate_gives_leftover_fen_to_largest_remainders_ties_to_the_earlier_part():
    # 100 fen in thirds: 33.33 each, one fen left, ties go to the first part
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    # 1 fen at 70/0/30: 0.7 vs 0.3 -> the fund's larger remainder wins
    assert allocate(1, [70, 0, 30]) == [1, 0, 0]
    # 5 fen at 10/80/10: 0.5, 4, 0.5 -> the tied fen goes to the fund, the earlier part
    assert allocate(5, [10, 80, 10]) == [1, 4, 0]


def test_allocate_refuses_weights_that_split_nothing():
    with pytest.raises(ValueError):
        allocate(100, [0, 0])
    with pytest.raises(ValueError):
        allocate(100, [1, -1])


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_format_then_parse_gives_back_the_fen(fen):
    text = format_yuan(abs(fen))
    assert text.startswith("¥")
    assert parse_yuan(text) == abs(fen)


@pytest.mark.parametrize("text, fen", [("12.5", 1250), ("¥12.50", 1250), ("￥0.05", 5), ("12", 1200), ("1,234.56", 123456)])
def test_parse_yuan_reads_what_people_type(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "-1", "1.234", "abc", "1e3", "NaN", "12.5.1"])
def test_parse_yuan_refuses_what_is_not_money(text):
    with pytest.raises(ValueError):
        parse_yuan(text)


def test_format_yuan_shows_negative_and_thousands():
    assert format_yuan(-5) == "-¥0.05"
    assert format_yuan(123456789) == "¥1,234,567.89"
