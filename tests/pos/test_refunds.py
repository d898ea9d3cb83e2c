"""The refund of a return on the sale's tenders (pos/refunds.py refund_to_tenders): whole points, cash for the
rest, never more back on a tender than it paid, the last return squaring everything."""

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pos.refunds import Back, Paid, refund_to_tenders


def run_returns(paid, steps):
    """Refund `steps` (fen of value coming back, in order); the refunds given and what each tender got back."""
    back, returned, given_each = [Back() for _ in paid], 0, []
    for now in steps:
        returned += now
        given = refund_to_tenders(paid, back, returned_fen=returned)
        given_each.append(given)
        back = [Back(b.amount_fen + g.amount_fen, b.points + g.points) for b, g in zip(back, given)]
    return given_each, back


def test_the_issues_sweater_comes_back_for_its_price_in_points_and_cash():
    # given a ¥60.50 sale paid 56 points (¥56.00) and ¥4.50 in cash
    paid = [Paid("points", 5600, 56), Paid("cash", 450)]
    # when the ¥48.00 sweater comes back, then the ¥12.50 rest
    (first, last), back = run_returns(paid, [4800, 1250])
    # then the sweater's refund is exactly ¥48.00: 44 points and ¥4.00, and the rest squares both tenders
    assert first == [Back(4400, 44), Back(400)]
    assert last == [Back(1200, 12), Back(50)]
    assert back == [Back(5600, 56), Back(450)]


def test_a_fraction_of_a_point_that_cannot_be_paid_back_is_owed_until_the_last_return():
    # given ¥12.50 paid 12 points and ¥0.50 cash; a ¥1.70 item comes back: no whole number of points
    # and at most ¥0.50 cash make ¥1.70
    paid = [Paid("points", 1200, 12), Paid("cash", 50)]
    (first, last), back = run_returns(paid, [170, 1080])
    # then 1 point and ¥0.50 (¥0.20 owed), and the last return pays the ¥0.20 with the rest
    assert first == [Back(100, 1), Back(50)]
    assert sum(g.amount_fen for g in last) == 1080 + 20
    assert back == [Back(1200, 12), Back(50)]


def test_a_cash_sale_refunds_cash_and_a_points_sale_points():
    assert run_returns([Paid("cash", 999)], [333, 666])[0] == [[Back(333)], [Back(666)]]
    assert run_returns([Paid("points", 900, 9)], [300, 600])[0] == [[Back(300, 3)], [Back(600, 6)]]


@st.composite
def sales_and_returns(draw):
    worth = draw(st.sampled_from([1, 2, 5, 10, 50, 100, 150]))
    points = draw(st.integers(0, 3000))
    cash = draw(st.integers(0 if points else 1, 200_000))
    paid = ([Paid("points", points * worth, points)] if points else []) + ([Paid("cash", cash)] if cash or not points
                                                                          else [])
    total, steps = sum(p.amount_fen for p in paid), []
    while sum(steps) < total and len(steps) < 12:
        steps.append(draw(st.integers(1, total - sum(steps))))
    if draw(st.booleans()) and sum(steps) < total:
        steps.append(total - sum(steps))  # often, everything comes back in the end
    return worth, paid, steps


@given(sales_and_returns())
@hypothesis_settings(max_examples=400, deadline=None)
def test_refunds_are_whole_points_and_cash_never_more_than_paid_and_square_at_the_end(case):
    worth, paid, steps = case
    given_each, back = run_returns(paid, steps)
    refunded = returned = 0
    so_far = [Back() for _ in paid]
    for now, given in zip(steps, given_each):
        returned += now
        refunded += sum(g.amount_fen for g in given)
        so_far = [Back(b.amount_fen + g.amount_fen, b.points + g.points) for b, g in zip(so_far, given)]
        for p, g in zip(paid, given):
            assert g.amount_fen >= 0 and g.points >= 0
            if p.kind == "points":
                assert g.amount_fen == g.points * worth  # each point back is worth what it paid
            else:
                assert g.points == 0
        # the refund is what came back, short by less than a point's worth only while the cash is all back
        short = returned - refunded
        assert 0 <= short < (worth if any(p.kind == "points" for p in paid) else 1)
        if short:  # then the cash tender has had all it paid back
            assert all(b.amount_fen == p.amount_fen for p, b in zip(paid, so_far) if p.kind == "cash")
    for p, b in zip(paid, back):
        assert b.amount_fen <= p.amount_fen and b.points <= p.points  # never more back than paid
    if returned == sum(p.amount_fen for p in paid):
        assert back == [Back(p.amount_fen, p.points) for p in paid]  # the last return squares every tender


@given(st.integers(1, 500), st.integers(0, 2000), st.integers(1, 100))
@hypothesis_settings(max_examples=200, deadline=None)
def test_one_return_of_part_of_a_split_sale_is_refunded_in_full(points, cash, percent):
    # whenever the cash paid is at least a point's worth, any first return is refunded to the fen
    worth = 100
    paid = [Paid("points", points * worth, points), Paid("cash", cash + worth)]
    total = sum(p.amount_fen for p in paid)
    now = max(1, total * percent // 100)
    given = refund_to_tenders(paid, [Back(), Back()], returned_fen=now)
    assert sum(g.amount_fen for g in given) == now
