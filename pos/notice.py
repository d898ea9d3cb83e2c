"""The fund's public notice (公示, issue 23): what the community fund took in and gave out in a month, and in the year
so far, for anyone to read at /notice — and nothing personal.

Every figure is read by the functions the manager's pages read (so the notice and the reports cannot disagree):
the fund's share of sales net of returns by goods source, the makers' and running costs' shares, points spent at the
till, donations received and wishes fulfilled from pos/reports.py `report()`; the fund's movements, disbursements and
points spent for households from pos/fund.py; points issued for service from pos/district.py `district_lovebank`
(the ledger's love-bank accounts). The fund's cash at the start and end of the month is the ledger's (the sum of its
movements before each moment), and the notice checks it against its own figures: start + money in − money out = end.

What is published, and what is kept out:
- money in: the fund's share of sales by goods source (net of returns), and cash given to the fund (any other ledger
  credit to the fund; the shop has no such operation yet, so 0 until it has);
- money out: each cash disbursement with its day, how it was paid, its amount and its reason AS THE MANAGER TYPED IT
  (the fund page's form says the reason is public; a run of 7 or more digits in it — a phone number — is masked here);
  goods given for wishes (the wish's number, the household's reference and the value) and the fund's points spent
  for households (the household's reference) — a household reference is checked to be one (pos/tender.py), never a
  name; a wish's text is not shown;
- makers: only the makers' share of all sales together, never one maker's payout; no donor, member, maker or staff
  name or phone anywhere (tests/web/test_notice.py searches the page, the JSON and the printout for every one).

A district (issue 19) has a notice per shop or station and a roll-up (district_notice): the sum of every place's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lovebank.vouchers import DELIVERED, VOUCHERS_HELD
from lovebank.wishes import wish_number
from shop.database import as_time, run
from shop.errors import DomainError, ShopError
from shop.printouts import N_, Printouts
from shop.shops import ShopInfo, list_shops, shop_of_id
from printing.layout import yuan as printed_yuan
from printing.notice import FUND_NOTICE, FundNotice, NoticeSection, preview_fund_notice, render_fund_notice

from pos.district import LoveBankFigures, district_lovebank
from pos.errors import SaleError
from pos.fund import DISBURSEMENT, disbursements, fund_movements, household_spending
from pos.reports import FIRST_DAY, LAST_DAY, Dimension, Period, period_of, report
from pos.tables import Sale
from pos.wishes import WISH

SOURCES = ("donated", "handicraft", "purchased")  # always listed, in this order, sold or not
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DIGITS = re.compile(r"\d{7,}")  # a phone number (or an ID number) typed into a reason
_SALES_KINDS = ("sale", "return")
_OUT_KINDS = (DISBURSEMENT, WISH)
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def month_of(text: str | None, *, today: date) -> date:
    """The first day of the month "YYYY-MM" ("" or None: today's month); SaleError.BAD_MONTH if it is no month of the
    shop's calendar."""
    if not (text or "").strip():
        return today.replace(day=1)
    match = _MONTH.match(text.strip())
    if match and 1 <= int(match.group(2)) <= 12:
        first = date(int(match.group(1)), int(match.group(2)), 1)
        if FIRST_DAY <= first <= LAST_DAY:
            return first
    raise DomainError(SaleError.BAD_MONTH, month=str(text)[:16], first=FIRST_DAY.isoformat()[:7],
                      last=LAST_DAY.isoformat()[:7])


def masked(reason: str) -> str:
    """A disbursement's reason as the notice shows it: as typed, a run of 7 or more digits masked."""
    return _DIGITS.sub(lambda m: "*" * len(m.group(0)), reason)


@dataclass(frozen=True)
class SourceShare:
    source: str  # donated | handicraft | purchased
    fund_fen: int  # the fund's share of the source's sales, net of returns
    fund_cash_fen: int  # of which paid in cash
    fund_points_fen: int  # of which paid in points


@dataclass(frozen=True)
class CategoryPieces:
    code: str
    name: str
    name_en: str
    pieces: int  # accepted into stock


@dataclass(frozen=True)
class NoticeFigures:
    """One period's figures (the month, or the year so far): money, points, donations, wishes, and the fund's balance
    from the ledger with the check start + money in − money out = end."""

    first: date
    last: date
    # sales, net of returns (the manager's report's totals)
    net_sales_fen: int
    fund_fen: int  # the fund's share = the sum of by_source
    maker_fen: int  # all makers together
    running_fen: int
    by_source: tuple[SourceShare, ...]
    # money in and out of the fund
    given_fen: int  # cash given to the fund
    money_in_fen: int  # fund_fen + given_fen
    disbursed_fen: int  # cash disbursements
    wish_goods_fen: int  # goods from stock given for wishes, paid by the fund
    money_out_fen: int  # disbursed_fen + wish_goods_fen
    # the fund's cash, from the ledger
    balance_start_fen: int
    balance_end_fen: int
    expected_end_fen: int  # balance_start_fen + money_in_fen − money_out_fen
    agrees: bool  # expected_end_fen == balance_end_fen
    # points
    points_issued: int  # for service approved here (less corrections)
    service_half_hours: int  # the service those points were issued for, in half hours (less corrections)
    points_donated: int  # given to the fund by members (less gifts reversed)
    points_on_goods: int  # spent at the tills (members' and the fund's)
    points_for_households: int  # of which the fund's, for households in need
    points_on_services: int  # vouchers for services delivered
    fund_points_start: int
    fund_points_end: int
    # donations and wishes
    donations: int
    pieces: int
    by_category: tuple[CategoryPieces, ...]
    wishes: int


@dataclass(frozen=True)
class PublicDisbursement:
    shop: str  # the shop's code
    day: date
    method: str  # cash | transfer
    amount_fen: int
    reason: str  # as typed, digits masked


@dataclass(frozen=True)
class HouseholdGoods:
    """Goods given to a household: by a wish (from stock, paid by the fund) or at the till with the fund's points."""

    shop: str
    day: date
    household_ref: str
    how: str  # wish-stock | wish-donation | wish-service | points
    wish: str  # the wish's number, or ""
    value_fen: int  # paid by the fund: goods from stock, or the worth of the points
    points: int  # the fund's points spent (how = points)


@dataclass(frozen=True)
class Notice:
    shop: str  # the shop's code; "" for the district's roll-up
    shop_name: str
    month: str  # YYYY-MM
    month_figures: NoticeFigures
    year_figures: NoticeFigures  # 1 January to the month's last day
    disbursements: tuple[PublicDisbursement, ...]  # the month's, newest first
    households: tuple[HouseholdGoods, ...]  # the month's, newest first
    shops: tuple[str, ...]  # the district's roll-up: the codes of the places summed


def _balance_at(movements: list, currency: str) -> int:
    return sum(m.received - m.spent for m in movements if m.currency == currency)


async def _service_half_hours(shop_id: int, start: datetime, end: datetime) -> int:
    """Service approved here in [start, end), less approvals reversed in it: what points_issued was issued for."""
    rows = await run(Sale._meta.db, """
        SELECT COALESCE(SUM(CASE WHEN decided_at >= $2 AND decided_at < $3 AND status IN ('approved', 'reversed')
                                 THEN half_hours ELSE 0 END), 0) AS approved,
               COALESCE(SUM(CASE WHEN status = 'reversed' AND reversed_at >= $2 AND reversed_at < $3
                                 THEN half_hours ELSE 0 END), 0) AS reversed
        FROM service_record WHERE shop = $1""", shop_id, start, end)
    return int(rows[0]["approved"] or 0) - int(rows[0]["reversed"] or 0)


async def _voucher_points(shop_id: int, start: datetime, end: datetime) -> int:
    """Points of the vouchers for services delivered here in [start, end) (lovebank/vouchers.py)."""
    rows = await run(Sale._meta.db, """
        SELECT COALESCE(SUM(e.amount), 0) AS points FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id
        WHERE t.shop = $1 AND t.kind = $2 AND e.account = $3 AND e.currency = 'PTS'
          AND t.created_at >= $4 AND t.created_at < $5""", shop_id, DELIVERED, VOUCHERS_HELD, start, end)
    return int(rows[0]["points"] or 0)


async def _pieces_by_category(shop_id: int, period: Period) -> tuple[CategoryPieces, ...]:
    """Pieces accepted into stock by the category, of the gifts received on the period's days (as
    pos.reports.donations_received counts them)."""
    rows = await run(Sale._meta.db, """
        SELECT c.code, c.name, c.name_en, SUM(i.quantity) AS pieces
        FROM donation d JOIN donated_item i ON i.donation = d.id JOIN category c ON c.id = i.category
        WHERE d.shop = $1 AND d.received_on >= $2 AND d.received_on <= $3 AND i.item IS NOT NULL
        GROUP BY c.code, c.name, c.name_en ORDER BY c.code""", shop_id, period.first, period.last)
    return tuple(CategoryPieces(code=r["code"], name=r["name"], name_en=r["name_en"] or "", pieces=int(r["pieces"]))
                 for r in rows)


async def _figures(shop_id: int, period: Period, zone: ZoneInfo, lovebank: LoveBankFigures | None) -> NoticeFigures:
    start, end = period.bounds(zone)
    got = await report(shop_id=shop_id, period=period, dimension=Dimension.SOURCE, zone=zone)
    rows = {row.key: row for row in got.rows}
    by_source = tuple(SourceShare(source=s, fund_fen=rows[s].fund_fen if s in rows else 0,
                                  fund_cash_fen=rows[s].fund_cash_fen if s in rows else 0,
                                  fund_points_fen=rows[s].fund_points_fen if s in rows else 0)
                      for s in (*SOURCES, *sorted(set(rows) - set(SOURCES))))
    moved = await fund_movements(shop_id=shop_id, start=start, end=end)
    given = sum(m.received for m in moved if m.currency == "CNY" and m.kind not in _SALES_KINDS + _OUT_KINDS)
    disbursed = sum(d.amount_fen for d in await disbursements(shop_id=shop_id, start=start, end=end, limit=10**9))
    money_in, money_out = got.totals.fund_fen + given, disbursed + got.wishes.from_stock_fen
    before = await fund_movements(shop_id=shop_id, start=_BEGINNING, end=start)  # the ledger's, up to the month
    until = await fund_movements(shop_id=shop_id, start=_BEGINNING, end=end)
    balance_start, balance_end = _balance_at(before, "CNY"), _balance_at(until, "CNY")
    expected_end = balance_start + money_in - money_out  # what the notice's own figures say the ledger holds
    points_donated = sum(m.received - m.spent for m in moved
                         if m.currency == "PTS" and m.kind in ("points-gift", "points-gift-reversal"))
    households = await household_spending(shop_id=shop_id, start=start, end=end)
    received = got.donations
    return NoticeFigures(
        first=period.first, last=period.last, net_sales_fen=got.totals.net_fen, fund_fen=got.totals.fund_fen,
        maker_fen=got.totals.maker_fen, running_fen=got.totals.running_fen, by_source=by_source,
        given_fen=given, money_in_fen=money_in, disbursed_fen=disbursed, wish_goods_fen=got.wishes.from_stock_fen,
        money_out_fen=money_out, balance_start_fen=balance_start, balance_end_fen=balance_end,
        expected_end_fen=expected_end, agrees=expected_end == balance_end,
        points_issued=lovebank.points_earned if lovebank else 0,
        service_half_hours=await _service_half_hours(shop_id, start, end), points_donated=points_donated,
        points_on_goods=got.totals.points_redeemed or 0,
        points_for_households=sum(h.points for h in households),
        points_on_services=await _voucher_points(shop_id, start, end),
        fund_points_start=_balance_at(before, "PTS"), fund_points_end=_balance_at(until, "PTS"),
        donations=received.donations, pieces=received.pieces, by_category=await _pieces_by_category(shop_id, period),
        wishes=got.wishes.wishes)


async def _month_lists(shop: ShopInfo, start: datetime, end: datetime,
                       zone: ZoneInfo) -> tuple[list[PublicDisbursement], list[tuple[datetime, HouseholdGoods]]]:
    paid = [PublicDisbursement(shop=shop.code, day=d.at.astimezone(zone).date(), method=d.method,
                               amount_fen=d.amount_fen, reason=masked(d.reason))
            for d in await disbursements(shop_id=shop.id, start=start, end=end, limit=10**9)]
    given = [(h.at, HouseholdGoods(shop=shop.code, day=h.at.astimezone(zone).date(), household_ref=h.household_ref,
                                   how="points", wish="", value_fen=h.amount_fen, points=h.points))
             for h in await household_spending(shop_id=shop.id, start=start, end=end)]
    rows = await run(Sale._meta.db, """
        SELECT id, household_ref, fulfilled_how, value_fen, fulfilled_at FROM wish
        WHERE shop = $1 AND fulfilled_at >= $2 AND fulfilled_at < $3 ORDER BY id DESC""", shop.id, start, end)
    for row in rows:
        at = as_time(row["fulfilled_at"])
        given.append((at, HouseholdGoods(shop=shop.code, day=at.astimezone(zone).date(),
                                         household_ref=row["household_ref"], how=f"wish-{row['fulfilled_how']}",
                                         wish=wish_number(row["id"]), value_fen=int(row["value_fen"] or 0), points=0)))
    return paid, given


def _periods(month: date) -> tuple[Period, Period]:
    chosen = period_of("month", month)
    return chosen, period_of("custom", month.replace(month=1, day=1), chosen.last)


async def month_notice(*, shop_id: int, month: date, zone: ZoneInfo) -> Notice:
    """The notice of one shop (or station) for the month starting `month`, and its year so far."""
    shop = await shop_of_id(shop_id)
    if shop is None:
        raise DomainError(ShopError.UNKNOWN_SHOP, shop=str(shop_id))
    return (await _notices([shop], month, zone))[0]


async def district_notice(*, month: date, zone: ZoneInfo) -> Notice:
    """The district's roll-up: every shop's and station's notice summed (the lists: every place's)."""
    places = await list_shops()
    notices = await _notices(places, month, zone)
    return Notice(shop="", shop_name="", month=notices[0].month if notices else month.isoformat()[:7],
                  month_figures=_summed([n.month_figures for n in notices]),
                  year_figures=_summed([n.year_figures for n in notices]),
                  disbursements=tuple(sorted((d for n in notices for d in n.disbursements),
                                             key=lambda d: (d.day, d.shop), reverse=True)),
                  households=tuple(sorted((h for n in notices for h in n.households),
                                          key=lambda h: (h.day, h.shop), reverse=True)),
                  shops=tuple(n.shop for n in notices))


async def _notices(places: list[ShopInfo], month: date, zone: ZoneInfo) -> list[Notice]:
    chosen, year = _periods(month)
    lovebank = {}  # the love bank's figures of every place, read once a period (pos/district.py)
    for period in (chosen, year):
        lovebank[period] = {row.shop: row for row in (await district_lovebank(period=period, zone=zone)).rows}
    start, end = chosen.bounds(zone)
    notices = []
    for shop in places:
        paid, given = await _month_lists(shop, start, end, zone)
        notices.append(Notice(
            shop=shop.code, shop_name=shop.name, month=month.isoformat()[:7],
            month_figures=await _figures(shop.id, chosen, zone, lovebank[chosen].get(shop.code)),
            year_figures=await _figures(shop.id, year, zone, lovebank[year].get(shop.code)),
            disbursements=tuple(paid), households=tuple(h for _, h in sorted(given, key=lambda p: p[0], reverse=True)),
            shops=(shop.code,)))
    return notices


def _summed(parts: list[NoticeFigures]) -> NoticeFigures:
    """The figures of several places added up: by source and by category merged by key; it agrees if each does."""
    if not parts:
        raise ValueError("no figures to sum")
    sums = {f.name: sum(getattr(p, f.name) for p in parts) for f in fields(NoticeFigures)
            if f.name not in ("first", "last", "by_source", "by_category", "agrees")}
    sources: dict[str, list[int]] = {}
    for part in parts:
        for share in part.by_source:
            got = sources.setdefault(share.source, [0, 0, 0])
            got[0] += share.fund_fen
            got[1] += share.fund_cash_fen
            got[2] += share.fund_points_fen
    categories: dict[str, CategoryPieces] = {}
    for part in parts:
        for c in part.by_category:
            had = categories.get(c.code)
            categories[c.code] = CategoryPieces(code=c.code, name=c.name, name_en=c.name_en,
                                                pieces=c.pieces + (had.pieces if had else 0))
    return NoticeFigures(
        first=parts[0].first, last=parts[0].last, **sums, agrees=all(p.agrees for p in parts),
        by_source=tuple(SourceShare(source=s, fund_fen=v[0], fund_cash_fen=v[1], fund_points_fen=v[2])
                        for s, v in sources.items()),
        by_category=tuple(categories[code] for code in sorted(categories)))


# --- the short version for the till printer -------------------------------------------------------------------

NOTICE_WORDS = {"title": N_("Community fund: public notice"), "month": N_("Month"), "printed": N_("Printed on"),
                "note": N_("The full notice, with every disbursement: ask at the counter, or read it on the notice "
                           "board.")}
_PAPER_WORDS = {
    "in": N_("Money in"), "out": N_("Money out"), "balance": N_("The fund's cash"), "points": N_("Points"),
    "gifts": N_("Donations and wishes"),
    "donated": N_("donated"), "handicraft": N_("handicraft"), "purchased": N_("purchased"),
    "given": N_("Cash given to the fund"), "total_in": N_("Total in"),
    "disbursed": N_("Disbursements"), "wish_goods": N_("Goods given for wishes"), "total_out": N_("Total out"),
    "start": N_("At the start of the month"), "end": N_("At the end of the month"),
    "agrees": N_("Agrees with the ledger"), "differs": N_("Differs from the ledger by {amount}"),
    "issued": N_("Issued for service ({hours} h)"), "donated_pts": N_("Donated to the fund"),
    "on_goods": N_("Spent on goods"), "households": N_("of which the fund's, for households"),
    "on_services": N_("Spent on services"),
    "donations": N_("Donations received"), "pieces": N_("Pieces received"), "wishes": N_("Wishes fulfilled"),
}


def hours(half_hours: int) -> str:
    """Half hours as hours: 5 -> "2.5", 4 -> "2"."""
    sign = "-" if half_hours < 0 else ""
    return f"{sign}{abs(half_hours) // 2}" + (".5" if half_hours % 2 else "")


def notice_paper(notice: Notice, *, words: dict[str, str], labels: dict[str, str], printed_on: str,
                 yuan) -> FundNotice:
    """The month's figures as the till printer prints them: the words in the shop's language (`words`: the keys of
    _PAPER_WORDS; `labels`: NOTICE_WORDS'), amounts by `yuan`. Totals only: no reason, no household."""
    f = notice.month_figures
    sources = {s.source: s.fund_fen for s in f.by_source}
    balance = [(words["start"], yuan(f.balance_start_fen)), (words["total_in"], yuan(f.money_in_fen)),
               (words["total_out"], yuan(-f.money_out_fen)), (words["end"], yuan(f.balance_end_fen)),
               (words["agrees"] if f.agrees else words["differs"].format(amount=yuan(f.balance_end_fen
                                                                                   - f.expected_end_fen)),
                "")]
    return FundNotice(shop_name=notice.shop_name, month=notice.month, printed_on=printed_on, labels=labels, sections=(
        NoticeSection(words["in"], tuple((words.get(s, s), yuan(sources.get(s, 0))) for s in sources)
                      + ((words["given"], yuan(f.given_fen)), (words["total_in"], yuan(f.money_in_fen)))),
        NoticeSection(words["out"], ((words["disbursed"], yuan(f.disbursed_fen)),
                                     (words["wish_goods"], yuan(f.wish_goods_fen)),
                                     (words["total_out"], yuan(f.money_out_fen)))),
        NoticeSection(words["balance"], tuple(balance)),
        NoticeSection(words["points"], (
            (words["issued"].format(hours=hours(f.service_half_hours)), str(f.points_issued)),
            (words["donated_pts"], str(f.points_donated)), (words["on_goods"], str(f.points_on_goods)),
            (words["households"], str(f.points_for_households)), (words["on_services"], str(f.points_on_services)))),
        NoticeSection(words["gifts"], ((words["donations"], str(f.donations)), (words["pieces"], str(f.pieces)),
                                       (words["wishes"], str(f.wishes)))),
    ))


async def print_notice(notice: Notice, *, printouts: Printouts, shop_id: int, width: int) -> tuple[int, list[str]]:
    """The short notice into the print queue for config.toml's receipt printer (as the wish list goes); the job's
    id and the text as it prints."""
    paper = notice_paper(notice, words=printouts.words(_PAPER_WORDS), labels=printouts.words(NOTICE_WORDS),
                         printed_on=datetime.now(printouts.settings.zone).date().isoformat(), yuan=printed_yuan)
    job_id = await printouts.queue(shop_id=shop_id, place=None, document=FUND_NOTICE, ref=f"notice-{notice.month}",
                                   render=lambda profile: render_fund_notice(paper, profile=profile))
    return job_id, preview_fund_notice(paper, width=width)
