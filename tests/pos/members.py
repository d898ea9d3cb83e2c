"""Love-bank members with points, for the till's tests: a member opened through the love bank, and points
brought over from their paper passbook as one ledger transaction (issued → the member)."""

from lovebank.passbook import open_member
from shop import ledger


async def member_with_points(goods, points: int, name: str = "王阿姨") -> object:
    member = await open_member(shop_id=goods.shop_id, name=name)
    if points:
        await ledger.post(ledger.Txn(kind="opening-points", ref=f"passbook:{member.number}", entries=(
            ledger.Entry(ledger.POINTS_ISSUED, ledger.Currency.PTS, points),
            ledger.Entry(ledger.member_points(member.id), ledger.Currency.PTS, -points),
        )), shop_id=goods.shop_id)
    return member


async def fund_with_points(goods, points: int) -> None:
    """Points given to the community fund (积分捐赠), as the love bank records a gift."""
    await ledger.post(ledger.Txn(kind="opening-points", ref="fund", entries=(
        ledger.Entry(ledger.POINTS_ISSUED, ledger.Currency.PTS, points),
        ledger.Entry(ledger.fund_points(goods.shop_id), ledger.Currency.PTS, -points),
    )), shop_id=goods.shop_id)
