"""A stateful Hypothesis test of the love bank on both engines: random sequences of service entered, approved
and rejected, points given to members (entered, then approved or rejected by someone else) and to the fund,
spent at the till, corrections asked for and approved or rejected by someone else, accounts closed, services
redeemed for vouchers (and the same request again), vouchers delivered or cancelled; and the wish wall: wishes
posted for a household, claimed by a member or the donor, fulfilled from stock (the community fund pays the goods'
shelf value), with the donor's own goods, or with the member's service (a pending service record, then decided
like any other), thanked, withdrawn.

After every step: no balance is below zero; the points held by members, the fund and the vouchers equal the points
issued minus the points redeemed; every balance equals the model's; the vouchers' account holds exactly the points
of the vouchers still held; every wish's status is the model's and moved at most one step forward; the fund's cash
is the model's (goods given from stock lower it). After every example the shelf holds the model's pieces and
verify() finds nothing wrong. "Spend" posts what the till posts for a points tender: PTS from the member (or the
fund) to POINTS_REDEEMED, and the goods' value in fen from POINTS_HONOURED to the fund (which raises its cash). The
fund's cash starts with its share of one sale made before the first example.
"""

import asyncio
import uuid
from datetime import date

from hypothesis import HealthCheck, settings as hypothesis_settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from piccolo.query.functions.aggregate import Sum

from donations.donors import register_donor
from donations.intake import GivenItem
from inventory.catalogue import add_category, add_item
from inventory.stock import on_hand
from lovebank import passbook, vouchers, wishes
from lovebank.tables import Wish
from pos import wishes as fulfil
from pos.checkout import CartLine, commit_sale, source_rules
from pos.fund import fund_balance
from pos.sessions import open_session
from pos.split import SplitRule
from pos.tills import add_till
from pos.verify import verify
from shop import ledger
from shop.database import bind, close_database, engine_for, open_database, writing
from shop.errors import DomainError
from shop.settings import ServiceType
from shop.shops import ensure_shop
from shop.staff import Role, create_staff
from shop.tables import LedgerEntry
from tests.conftest import _truncate_postgres
from tests.pos.till import till_rules

TYPES = (ServiceType("elder-care", "助老", 10), ServiceType("environment", "环保", 15),
         ServiceType("tutoring", "助学", 7))
TODAY = date(2026, 11, 30)
FEN_PER_POINT = 100
MEMBERS = 3
DONOR = -1  # who claimed a wish, when not a member: the shop's one registered donor
# a wish's steps: each rule moves a wish at most one of them
NEXT = {"posted": ("claimed", "withdrawn"), "claimed": ("fulfilled",), "fulfilled": ("thanked",), "thanked": (),
        "withdrawn": ()}


class LoveBank(RuleBasedStateMachine):
    """The model: each member's points, the fund's points, open or closed; the service records and gifts."""

    loop: asyncio.AbstractEventLoop
    shop_id: int
    staff: dict[str, int]  # coordinators "a", "b" and a manager "m"
    donor: int
    shelf: dict[str, tuple[int, str, int]]  # "book" (plenty), "coat" (one piece): (item, barcode, price in fen)
    split: dict[str, SplitRule]  # the fund's share by the goods' source, as at the till

    def __init__(self) -> None:
        super().__init__()
        self.members = [self.run(passbook.open_member(shop_id=self.shop_id, name=f"会员{n}")).id
                        for n in range(MEMBERS)]
        self.points = {member: 0 for member in self.members}
        self.open = {member: True for member in self.members}
        self.fund = self.run(passbook.fund_points(self.shop_id))  # the fund is the shop's: earlier examples left some in it
        self.pending: list[tuple[int, int, str]] = []  # (record, member, entered by)
        self.approved: list[tuple[int, int, int]] = []  # (record, member, points)
        self.gifts: list[tuple[int, int, int | None, int]] = []  # (gift, from, to (None: fund), points)
        self.pending_gifts: list[tuple[int, int, int, int, str]] = []  # (gift, from, to, points, entered by)
        # (reversal, "service" or "gift", the approved or gifts entry it corrects, asked by)
        self.pending_reversals: list[tuple[int, str, tuple, str]] = []
        # the others start with a service approved, so that services are redeemed from the first steps on
        for member in self.members[1:]:
            entered = self.run(passbook.record_service(
                shop_id=self.shop_id, member_id=member, served_on=TODAY, start_time="08:00", place="社区",
                content="服务", service_type=TYPES[0].code, half_hours=4, witness="楼长", staff_id=self.staff["a"],
                today=TODAY, types=TYPES, max_hours=12))
            points = self.run(passbook.approve_service(shop_id=self.shop_id, record_id=entered.id,
                                                       staff_id=self.staff["b"], types=TYPES)).points
            self.points[member] += points
            self.approved.append((entered.id, member, points))
        # the menu: a service given by the first member, one by a partner; (offer id, provider (None: partner), points)
        self.offers = [(self.run(vouchers.add_offer(shop_id=self.shop_id, name=name, points=price,
                                                    staff_id=self.staff["a"], provider_member_id=provider,
                                                    partner=partner)).id, provider, price)
                       for name, price, provider, partner in (("理发", 8, self.members[0], ""),
                                                              ("理疗", 12, None, "康复中心"))]
        self.vouchers: dict[str, list] = {}  # number → [member, provider, points, status, key, offer]
        self.held_before = self.run(vouchers.vouchers_held_points())  # earlier examples' vouchers still held
        self.wishes: dict[int, list] = {}  # wish → [kind, status, claimed by (a member, DONOR or None)]
        # a wish for goods claimed by the donor, one for service by the second member: fulfilled from the first steps
        for kind, claimer in (("goods", dict(donor_id=self.donor)),
                              ("service", dict(member_code=f"M{self.members[1]}"))):
            wish = self.run(fulfil.post_wish(shop_id=self.shop_id, household="H-2026-1", text="心愿", kind=kind,
                                             staff_id=self.staff["a"])).id
            claimed = self.run(fulfil.claim_wish(shop_id=self.shop_id, wish_id=wish, staff_id=self.staff["a"],
                                                 **claimer))
            self.wishes[wish] = [kind, "claimed", claimed.member_id or DONOR]
        self.seen: dict[int, str] = {}  # each wish's status in the database after the last step
        # what earlier examples left: the fund's cash and the shelf's pieces
        self.cash = self.run(fund_balance(shop_id=self.shop_id)).cash_fen
        self.pieces = self.run(on_hand(item for item, _, _ in self.shelf.values()))

    def run(self, work):
        return self.loop.run_until_complete(work)

    def attempt(self, work) -> str | None:
        """None when it succeeded, else the DomainError's code."""
        try:
            self.run(work)
        except DomainError as error:
            return str(error.code)
        return None

    # -- the rules ------------------------------------------------------------------------------

    @rule(who=st.integers(0, MEMBERS - 1), half_hours=st.integers(1, 24), kind=st.sampled_from(TYPES),
          by=st.sampled_from("abm"))
    def enter_service(self, who, half_hours, kind, by):
        member = self.members[who]
        try:
            entered = self.run(passbook.record_service(
                shop_id=self.shop_id, member_id=member, served_on=TODAY, start_time="09:30", place="社区",
                content="服务", service_type=kind.code, half_hours=half_hours, witness="楼长",
                staff_id=self.staff[by], today=TODAY, types=TYPES, max_hours=12))
        except DomainError as error:
            assert (str(error.code), self.open[member]) == ("member-closed", False)
            return
        assert self.open[member]
        self.pending.append((entered.id, member, by))

    @precondition(lambda self: self.pending)
    @rule(pick=st.integers(0, 99), by=st.sampled_from("abm"), approve=st.booleans())
    def decide(self, pick, by, approve):
        record, member, entered_by = self.pending[pick % len(self.pending)]
        if approve:
            work = passbook.approve_service(shop_id=self.shop_id, record_id=record, staff_id=self.staff[by],
                                            types=TYPES)
        else:
            work = passbook.reject_service(shop_id=self.shop_id, record_id=record, staff_id=self.staff[by],
                                           reason="不符合")
        code = self.attempt(work)
        if by == entered_by:
            assert code == "own-service"
            return
        if approve and not self.open[member]:
            assert code == "member-closed"
            return
        assert code is None
        self.pending.remove((record, member, entered_by))
        if approve:
            points = self.run(passbook.service_by_id(shop_id=self.shop_id, record_id=record)).points
            info = self.run(passbook.service_by_id(shop_id=self.shop_id, record_id=record))
            kind = next(t for t in TYPES if t.code == info.service_type)
            assert points == kind.points_per_hour * info.half_hours // 2
            self.points[member] += points
            self.approved.append((record, member, points))

    @rule(giver=st.integers(0, MEMBERS - 1), receiver=st.integers(-1, MEMBERS - 1), points=st.integers(1, 120),
          by=st.sampled_from("abm"))
    def donate(self, giver, receiver, points, by):
        """receiver -1: the community fund (at once); another member: pending until someone else approves it."""
        source = self.members[giver]
        target = None if receiver < 0 else self.members[receiver]
        try:
            gift = self.run(passbook.donate_points(shop_id=self.shop_id, from_member_id=source, to_member_id=target,
                                                   points=points, staff_id=self.staff[by]))
            code = None
        except DomainError as error:
            code = str(error.code)
        if target == source:
            assert code == "gift-to-self"
        elif not self.open[source] or (target is not None and not self.open[target]):
            assert code == "member-closed"
        elif self.points[source] < points:
            assert code == "not-enough-points"
        elif target is None:
            assert code is None and gift.status == "approved"
            self.points[source] -= points
            self.fund += points
            self.gifts.append((gift.id, source, None, points))
        else:
            assert code is None and gift.status == "pending"
            self.pending_gifts.append((gift.id, source, target, points, by))

    @precondition(lambda self: self.pending_gifts)
    @rule(pick=st.integers(0, 99), by=st.sampled_from("abm"), approve=st.booleans())
    def decide_gift(self, pick, by, approve):
        entry = gift, source, target, points, entered_by = self.pending_gifts[pick % len(self.pending_gifts)]
        if approve:
            work = passbook.approve_gift(shop_id=self.shop_id, gift_id=gift, staff_id=self.staff[by])
        else:
            work = passbook.reject_gift(shop_id=self.shop_id, gift_id=gift, staff_id=self.staff[by], reason="不同意")
        code = self.attempt(work)
        if by == entered_by:
            assert code == "own-entry"
            return
        if approve and not (self.open[source] and self.open[target]):
            assert code == "member-closed"
            return
        if approve and self.points[source] < points:
            assert code == "not-enough-points"  # and it still waits
            return
        assert code is None
        self.pending_gifts.remove(entry)
        if approve:
            self.points[source] -= points
            self.points[target] += points
            self.gifts.append((gift, source, target, points))

    @rule(who=st.integers(-1, MEMBERS - 1), points=st.integers(1, 120))
    def spend(self, who, points):
        """At the till: a member's points (found by their card, as the till does), or the fund's (-1)."""
        if who >= 0:
            member = self.members[who]
            try:
                at_till = self.run(passbook.member_for_till(code=f"M{member}"))
            except DomainError as error:
                assert (str(error.code), self.open[member]) == ("member-closed", False)
                return
            assert at_till.points == self.points[member]
            account = ledger.member_points(member)
        else:
            account = ledger.fund_points(self.shop_id)
        code = self.attempt(self._spend(account, points))
        held = self.fund if who < 0 else self.points[self.members[who]]
        if held < points:
            assert code == "balance-below-zero"
            return
        assert code is None
        self.cash += points * FEN_PER_POINT  # the goods' value, honoured to the fund
        if who < 0:
            self.fund -= points
        else:
            self.points[self.members[who]] -= points

    async def _spend(self, account: str, points: int) -> None:
        # The entries of the till's points tender, without its sale: not kind "sale", since verify() checks every
        # sale's transaction against the sale it was posted for.
        async with writing(LedgerEntry._meta.db):
            await ledger.post(ledger.Txn(kind="model-spend", ref="S-model", entries=(
                ledger.Entry(account, ledger.Currency.PTS, points),
                ledger.Entry(ledger.POINTS_REDEEMED, ledger.Currency.PTS, -points),
                ledger.Entry(ledger.POINTS_HONOURED, ledger.Currency.CNY, points * FEN_PER_POINT),
                ledger.Entry(ledger.FUND, ledger.Currency.CNY, -points * FEN_PER_POINT),
            )), shop_id=self.shop_id)

    def _waiting(self, kind: str, entry: tuple) -> bool:
        return any((k, e) == (kind, entry) for _, k, e, _ in self.pending_reversals)

    def _asked(self, kind: str, entry: tuple, work, by: str, *, closed: bool, held: int, points: int) -> None:
        try:
            asked = self.run(work)
            code = None
        except DomainError as error:
            code = str(error.code)
        if closed:
            assert code == "member-closed"
        elif held < points:
            assert code == "not-enough-points"
        elif self._waiting(kind, entry):
            assert code == "reversal-pending"
        else:
            assert code is None and asked.status == "pending"
            self.pending_reversals.append((asked.id, kind, entry, by))

    @precondition(lambda self: self.approved)
    @rule(pick=st.integers(0, 99), by=st.sampled_from("abm"))
    def reverse_service(self, pick, by):
        """A correction asked for: nothing moves until someone else approves it."""
        entry = record, member, points = self.approved[pick % len(self.approved)]
        self._asked("service", entry, passbook.reverse_service(shop_id=self.shop_id, record_id=record,
                                                               staff_id=self.staff[by], reason="录错了"), by,
                    closed=not self.open[member], held=self.points[member], points=points)

    @precondition(lambda self: self.gifts)
    @rule(pick=st.integers(0, 99), by=st.sampled_from("abm"))
    def reverse_gift(self, pick, by):
        entry = gift, source, target, points = self.gifts[pick % len(self.gifts)]
        self._asked("gift", entry, passbook.reverse_gift(shop_id=self.shop_id, gift_id=gift, staff_id=self.staff[by],
                                                         reason="转错了"), by,
                    closed=not self.open[source] or (target is not None and not self.open[target]),
                    held=self.fund if target is None else self.points[target], points=points)

    @precondition(lambda self: self.pending_reversals)
    @rule(pick=st.integers(0, 99), by=st.sampled_from("abm"), approve=st.booleans())
    def decide_reversal(self, pick, by, approve):
        asked = reversal, kind, entry, asked_by = self.pending_reversals[pick % len(self.pending_reversals)]
        if approve:
            work = passbook.approve_reversal(shop_id=self.shop_id, reversal_id=reversal, staff_id=self.staff[by])
        else:
            work = passbook.reject_reversal(shop_id=self.shop_id, reversal_id=reversal, staff_id=self.staff[by],
                                            reason="不改")
        code = self.attempt(work)
        if by == asked_by:
            assert code == "own-entry"
            return
        if kind == "service":
            _, member, points = entry
            closed, holder = not self.open[member], member
        else:
            _, source, target, points = entry
            closed = not self.open[source] or (target is not None and not self.open[target])
            holder = target
        held = self.fund if holder is None else self.points[holder]
        if approve and closed:
            assert code == "member-closed"
            return
        if approve and held < points:
            assert code == "not-enough-points"
            return
        assert code is None
        self.pending_reversals.remove(asked)
        if not approve:
            return
        if kind == "service":
            self.points[member] -= points
            self.approved.remove(entry)
        else:
            self.points[source] += points
            if target is None:
                self.fund -= points
            else:
                self.points[target] -= points
            self.gifts.remove(entry)

    @rule(who=st.integers(0, MEMBERS - 1), give_rest=st.booleans())
    def close(self, who, give_rest):
        member = self.members[who]
        code = self.attempt(passbook.close_member(shop_id=self.shop_id, member_id=member,
                                                  staff_id=self.staff["a"], give_rest_to_fund=give_rest))
        if not self.open[member]:
            assert code == "member-closed"
        elif self.points[member] and not give_rest:
            assert code == "member-has-points"
        else:
            assert code is None
            self.fund += self.points[member]
            self.points[member] = 0
            self.open[member] = False

    @rule(who=st.integers(0, MEMBERS - 1), which=st.integers(0, 1), richest=st.booleans())
    def redeem(self, who, which, richest):
        """At the love-bank desk: the member's points (or those of the member holding the most) held on a voucher for
        a service of the menu."""
        member = max(self.members, key=self.points.get) if richest else self.members[who]
        offer, provider, price = self.offers[which]
        key = f"model-voucher-{uuid.uuid4().hex}"  # the database outlives each example: a key never seen there
        try:
            voucher = self.run(vouchers.redeem(shop_id=self.shop_id, offer_id=offer, member=f"M{member}",
                                               idempotency_key=key, staff_id=self.staff["a"]))
            code = None
        except DomainError as error:
            code = str(error.code)
        if not self.open[member]:
            assert code == "member-closed"
        elif provider == member:
            assert code == "own-offer"
        elif self.points[member] < price:
            assert code == "not-enough-points"
        else:
            assert code is None and (voucher.status, voucher.points) == ("held", price)
            self.points[member] -= price
            self.vouchers[voucher.number] = [member, provider, price, "held", key, offer]

    @precondition(lambda self: self.vouchers)
    @rule(pick=st.integers(0, 99))
    def redeem_again(self, pick):
        """The same request again (a double tap, a lost answer): the same voucher, nothing moves."""
        number = sorted(self.vouchers)[pick % len(self.vouchers)]
        member, _, _, _, key, offer = self.vouchers[number]
        try:
            again = self.run(vouchers.redeem(shop_id=self.shop_id, offer_id=offer, member=f"M{member}",
                                             idempotency_key=key, staff_id=self.staff["b"]))
            code = None
        except DomainError as error:
            code = str(error.code)
        if not self.open[member]:
            assert code == "member-closed"
        else:
            assert code is None and again.replayed and (again.number, again.status) == (
                number, self.vouchers[number][3])

    @precondition(lambda self: self.vouchers)
    @rule(pick=st.integers(0, 99), delivered=st.booleans(), by=st.sampled_from("abm"))
    def settle(self, pick, delivered, by):
        """The provider gave the service (the points go to them, or out of circulation for a partner), or it is
        cancelled (the points back to the member); once."""
        number = sorted(self.vouchers)[pick % len(self.vouchers)]
        member, provider, price, status, _, _ = self.vouchers[number]
        work = vouchers.deliver if delivered else vouchers.cancel
        code = self.attempt(work(shop_id=self.shop_id, number=number, staff_id=self.staff[by]))
        receiver = provider if delivered else member
        if status != "held":
            assert code == "voucher-settled"
        elif receiver is not None and not self.open[receiver]:
            assert code == "member-closed"
        else:
            assert code is None
            self.vouchers[number][3] = "delivered" if delivered else "cancelled"
            if receiver is not None:
                self.points[receiver] += price

    @rule(kind=st.sampled_from(wishes.KINDS), household=st.integers(1, 999), by=st.sampled_from("abm"))
    def post_wish(self, kind, household, by):
        wish = self.run(fulfil.post_wish(shop_id=self.shop_id, household=f"h-2026-{household} ", text="心愿",
                                         kind=kind, staff_id=self.staff[by]))
        assert (wish.household_ref, wish.kind, wish.status) == (f"H-2026-{household}", kind, "posted")
        self.wishes[wish.id] = [kind, "posted", None]

    def _wish(self, pick: int, fits=None) -> tuple[int, list]:
        """A wish of the model's: one the step `fits` (kind, status, claimed by) if given and there is one, so that
        wishes get through their steps within an example's few steps; otherwise any, mostly to be refused."""
        found = sorted(self.wishes)
        found = [wish for wish in found if fits and fits(*self.wishes[wish])] or found
        wish = found[pick % len(found)]
        return wish, self.wishes[wish]

    @precondition(lambda self: self.wishes)
    @rule(pick=st.integers(0, 99), ready=st.booleans(), who=st.integers(DONOR, MEMBERS - 1),
          by=st.sampled_from("abm"))
    def claim_wish(self, pick, ready, who, by):
        """By a member (their card code) or the donor; a wish for service only by a member; once."""
        wish, (kind, status, _) = self._wish(pick, ready and (lambda kind, status, _: status == "posted"))
        member = None if who == DONOR else self.members[who]
        claimer = dict(donor_id=self.donor) if member is None else dict(member_code=f"M{member}")
        try:
            claimed = self.run(fulfil.claim_wish(shop_id=self.shop_id, wish_id=wish, staff_id=self.staff[by],
                                                 **claimer))
            code = None
        except DomainError as error:
            code = str(error.code)
        if member is not None and not self.open[member]:
            assert code == "member-closed"
        elif status == "withdrawn":
            assert code == "wish-not-posted"
        elif status != "posted":
            assert code == "wish-already-claimed"
        elif kind == "service" and member is None:
            assert code == "wish-wrong-way"
        else:
            assert code is None and (claimed.status, claimed.member_id) == ("claimed", member)
            assert claimed.donor_id == (self.donor if member is None else None)
            self.wishes[wish][1:] = ["claimed", DONOR if member is None else member]

    @precondition(lambda self: self.wishes)
    @rule(pick=st.integers(0, 99), ready=st.booleans(), how=st.sampled_from(("stock", "donation", "service")),
          books=st.integers(0, 3), coat=st.booleans(), half_hours=st.integers(1, 8), by=st.sampled_from("abm"))
    def fulfil_wish(self, pick, ready, how, books, coat, half_hours, by):
        """A claimed wish fulfilled, once: goods from the shelf, whoever claimed it, paid by the fund at their shelf
        price (never more than the shelf has or the fund holds); the claiming donor's own goods, in and straight
        out of stock, no money moving; or the claiming member's service, a pending service record decided later
        by someone other than who entered it, like any other (the rule `decide`)."""
        wanted = "service" if how == "service" else "goods"
        wish, (kind, status, claimer) = self._wish(pick, ready and (lambda kind, status, claimer: (
            status == "claimed" and kind == wanted and (how != "donation" or claimer == DONOR))))
        pieces = {"book": books, "coat": int(coat)} if how == "stock" else {}
        barcodes = [self.shelf[name][1] for name, count in pieces.items() for _ in range(count)]
        value = sum(self.shelf[name][2] * count for name, count in pieces.items())
        if how == "stock":
            work = fulfil.fulfil_from_stock(shop_id=self.shop_id, wish_id=wish, barcodes=barcodes,
                                            staff_id=self.staff[by], source_rules=self.split)
        elif how == "donation":
            work = fulfil.fulfil_with_donation(
                shop_id=self.shop_id, wish_id=wish, staff_id=self.staff[by], today=TODAY,
                items=[GivenItem(category="books", description="童话书", condition="good", quantity=1,
                                 price_fen=800)])
        else:
            work = fulfil.fulfil_with_service(
                shop_id=self.shop_id, wish_id=wish, staff_id=self.staff[by], half_hours=half_hours, witness="楼长",
                served_on=TODAY, start_time="14:00", place="社区", today=TODAY, types=TYPES, max_hours=12)
        try:
            done = self.run(work)
            code = None
        except DomainError as error:
            code = str(error.code)
        if how == "stock" and not barcodes:
            assert code == "wish-no-goods"
        elif status != "claimed":
            assert code == ("wish-already-fulfilled" if status in ("fulfilled", "thanked") else "wish-not-claimed")
        elif kind != wanted or (how == "donation" and claimer != DONOR):
            assert code == "wish-wrong-way"
        elif any(count > self.pieces[self.shelf[name][0]] for name, count in pieces.items()):
            assert code == "wish-out-of-stock"
        elif how == "stock" and value > self.cash:
            assert code == "wish-fund-short"
        elif how == "service" and not self.open[claimer]:
            assert code == "member-closed"  # a closed account takes no service: the wish stays claimed
        else:
            assert code is None and (done.status, done.fulfilled_how, done.value_fen) == ("fulfilled", how, value)
            self.wishes[wish][1] = "fulfilled"
            self.cash -= value
            for name, count in pieces.items():
                self.pieces[self.shelf[name][0]] -= count
            if how == "service":
                record = self.run(passbook.service_by_id(shop_id=self.shop_id, record_id=done.service_id))
                assert (record.status, record.member_id, record.half_hours) == ("pending", claimer, half_hours)
                self.pending.append((record.id, claimer, by))

    @precondition(lambda self: self.wishes)
    @rule(pick=st.integers(0, 99), ready=st.booleans())
    def thank_wish(self, pick, ready):
        """The household's thanks for a fulfilled wish; once."""
        wish, (_, status, _) = self._wish(pick, ready and (lambda kind, status, _: status == "fulfilled"))
        code = self.attempt(wishes.thank_wish(shop_id=self.shop_id, wish_id=wish, note="谢谢"))
        if status != "fulfilled":
            assert code == "wish-not-fulfilled"
        else:
            assert code is None
            self.wishes[wish][1] = "thanked"

    @precondition(lambda self: self.wishes)
    @rule(pick=st.integers(0, 99))
    def withdraw_wish(self, pick):
        """Only a posted wish: a claimed one is someone's promise."""
        wish, (_, status, _) = self._wish(pick)
        code = self.attempt(wishes.withdraw_wish(shop_id=self.shop_id, wish_id=wish, reason="已由街道解决"))
        if status == "posted":
            assert code is None
            self.wishes[wish][1] = "withdrawn"
        else:
            assert code == ("wish-not-posted" if status == "withdrawn" else "wish-already-claimed")

    # -- what always holds --------------------------------------------------------------------------

    @invariant()
    def the_vouchers_account_holds_the_points_of_the_vouchers_held(self):
        held = sum(points for _, _, points, status, _, _ in self.vouchers.values() if status == "held")
        assert self.run(vouchers.vouchers_held_points()) == self.held_before + held

    @invariant()
    def every_wish_is_the_models_and_moves_only_forward(self):
        if not self.wishes:
            return
        found = {row["id"]: row["status"] for row in self.run(Wish.raw(  # the model's: this example's, the newest
            "SELECT id, status FROM wish WHERE shop = {} AND id >= {}", self.shop_id, min(self.wishes)))}
        assert found == {wish: status for wish, (_, status, _) in self.wishes.items()}
        for wish, status in found.items():
            before = self.seen.get(wish, "posted")
            assert status == before or status in NEXT[before]
        self.seen = found

    @invariant()
    def the_funds_cash_is_the_models(self):
        assert self.run(fund_balance(shop_id=self.shop_id)).cash_fen == self.cash >= 0

    @invariant()
    def balances_are_the_models_and_never_below_zero(self):
        for member, points in self.points.items():
            assert self.run(passbook.points_of(member)) == points >= 0
        assert self.run(passbook.fund_points(self.shop_id)) == self.fund >= 0

    @invariant()
    def points_held_equal_points_issued_less_points_redeemed(self):
        balances = self.run(self._points_balances())
        held = -sum(total for account, total in balances.items() if account.startswith("liability:"))
        issued = balances.get(ledger.POINTS_ISSUED, 0)
        redeemed = -balances.get(ledger.POINTS_REDEEMED, 0)
        assert held == issued - redeemed

    @staticmethod
    async def _points_balances() -> dict[str, int]:
        """Every account's balance in points, in one query: this runs after every step."""
        rows = await LedgerEntry.select(LedgerEntry.account, Sum(LedgerEntry.amount, alias="total")).where(
            LedgerEntry.currency == "PTS").group_by(LedgerEntry.account)
        return {row["account"]: int(row["total"]) for row in rows}

    def teardown(self) -> None:
        """After each example: the shelf holds the pieces the model says, and the books hold."""
        assert self.run(on_hand(self.pieces)) == self.pieces
        assert self.run(verify()) == []


def test_any_sequence_of_earning_giving_spending_reversing_and_wishing_keeps_the_books(settings):
    loop = asyncio.new_event_loop()
    engine = engine_for(settings.database.url)

    async def set_up() -> None:
        await open_database(engine)
        if engine.engine_type == "postgres":
            await _truncate_postgres(engine)
        bind(engine)
        LoveBank.shop_id = await ensure_shop(settings.shop)
        LoveBank.staff = {
            key: (await create_staff(shop_id=LoveBank.shop_id, username=f"lb-{key}", password="password",
                                     role=role)).id
            for key, role in (("a", Role.COORDINATOR), ("b", Role.COORDINATOR), ("m", Role.MANAGER))}
        LoveBank.donor = (await register_donor(shop_id=LoveBank.shop_id, name="张先生")).id
        # the shelf, and ¥60.00 in the fund: its half of ten books sold at the till
        books = await add_category(shop_id=LoveBank.shop_id, code="books", name="图书", source="donated",
                                   fund_percent=50, maker_percent=0)
        LoveBank.shelf = {}
        for key, name, price, quantity in (("book", "新华字典", 1200, 400), ("coat", "儿童羽绒服（九成新）", 3500, 1)):
            item = await add_item(shop_id=LoveBank.shop_id, name=name, category_id=books, price_fen=price,
                                  quantity=quantity, one_off=quantity == 1)
            LoveBank.shelf[key] = (item.item_id, item.barcode, price)
        cashier = (await create_staff(shop_id=LoveBank.shop_id, username="lb-cashier", password="password",
                                      role=Role.CASHIER)).id
        till = await add_till(shop_id=LoveBank.shop_id, code="T1", name="一号收银台")
        await open_session(shop_id=LoveBank.shop_id, till_id=till, staff_id=cashier, float_fen=0)
        await commit_sale(shop_id=LoveBank.shop_id, till_id=till, cashier_id=cashier,
                          lines=[CartLine(LoveBank.shelf["book"][1], 10)], cash_given_fen=12000,
                          idempotency_key="key-lovebank-fund-01", rules=till_rules(settings))
        LoveBank.split = source_rules(settings.split)

    LoveBank.loop = loop
    try:
        loop.run_until_complete(set_up())
        run_state_machine_as_test(LoveBank, settings=hypothesis_settings(
            max_examples=25, stateful_step_count=25, deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    finally:
        loop.run_until_complete(close_database(engine))
        loop.close()
