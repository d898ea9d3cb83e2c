"""A receipt with discounts and love-bank points, on 58 mm paper: decoded back from the printer's bytes."""

from dataclasses import replace

from printing.documents import render_receipt
from printing.layout import columns
from tests.printing.escpos_decode import decode
from tests.printing.receipts import CHINESE_LABELS, CHINESE_RECEIPT
from printing.documents import ReceiptLine

LABELS = {**CHINESE_LABELS, "discount": "折扣", "discounts": "优惠合计", "points_paid": "积分支付（{points} 分）",
          "points_left": "剩余积分", "member": "储户号", "household": "慈善基金积分·帮扶户"}
RECEIPT = replace(
    CHINESE_RECEIPT, labels=LABELS,
    lines=(ReceiptLine("儿童羽绒服（九成新）", quantity=1, unit_price_fen=3500, amount_fen=2800, discount_fen=700),
           ReceiptLine("红烧牛肉面 5连包", quantity=2, unit_price_fen=1250, amount_fen=2500)),
    total_fen=5300, points=30, points_fen=3000, cash_given_fen=2500, change_fen=200, points_left=12,
    member_number="M000001")


def texts(receipt) -> list[str]:
    return decode(render_receipt(receipt, width=32, encoding="gb18030")).texts


def test_the_receipt_shows_each_discount_the_points_used_their_worth_and_the_points_left():
    printed = texts(RECEIPT)
    body = printed[printed.index("儿童羽绒服（九成新）"):]
    assert body[:6] == [
        "儿童羽绒服（九成新）",
        "  1 x ￥35.00            ￥35.00",
        "  折扣                   -￥7.00",
        "红烧牛肉面 5连包",
        "  2 x ￥12.50            ￥25.00",
        "--------------------------------",
    ]
    assert "优惠合计                 -￥7.00" in printed
    assert "合计                     ￥53.00" in printed
    assert "积分支付（30 分）        ￥30.00" in printed
    assert "现金                     ￥25.00" in printed and "找零                      ￥2.00" in printed
    assert "储户号" + " " * 19 + "M000001" in printed and "剩余积分                      12" in printed
    assert all(columns(line) <= 32 for line in printed)


def test_all_in_points_prints_no_cash_and_the_funds_points_name_the_household_only():
    printed = texts(replace(RECEIPT, cash_given_fen=0, change_fen=0, points=53, points_fen=5300, member_number="",
                            household_ref="H-2026-017", points_left=947))
    assert not any(line.startswith(("现金", "找零")) for line in printed)
    assert "慈善基金积分·帮扶户  H-2026-017" in printed and "剩余积分                     947" in printed
