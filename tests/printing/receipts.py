"""Two receipts for the printing tests: a Chinese shop's, and an English one with a Chinese item."""

from printing.documents import Receipt, ReceiptLine

CHINESE_LABELS = {
    "sale_number": "销售单号",
    "time": "时间",
    "cashier": "收银员",
    "total": "合计",
    "cash": "现金",
    "change": "找零",
    "fund_share": "本次购物为社区慈善基金贡献 {amount}",
    "items": "件数",
}
ENGLISH_LABELS = {
    "sale_number": "Sale No.",
    "time": "Time",
    "cashier": "Cashier",
    "total": "Total",
    "cash": "Cash",
    "change": "Change",
    "fund_share": "This purchase gave {amount} to the community charity fund",
}

CHINESE_RECEIPT = Receipt(
    shop_name="爱心超市",
    shop_address="北京市朝阳区幸福路12号社区服务中心一层",
    sale_number="S20240518-0042",
    time="2024-05-18 14:32",
    cashier="王小红",
    lines=(
        ReceiptLine("儿童羽绒服（九成新）", quantity=1, unit_price_fen=3500, amount_fen=3500),
        ReceiptLine("手工编织杯垫", quantity=2, unit_price_fen=800, amount_fen=1600),
        ReceiptLine("红烧牛肉面 5连包", quantity=1, unit_price_fen=1290, amount_fen=1290),
    ),
    total_fen=6390,
    cash_given_fen=10000,
    change_fen=3610,
    fund_fen=1278,
    labels=CHINESE_LABELS,
    footer="谢谢惠顾，欢迎再来！",
    open_drawer=True,
)
ENGLISH_RECEIPT = Receipt(
    shop_name="Aixin Charity Supermarket",
    shop_address="12 Harmony Road, Community Centre",
    sale_number="S20240518-0043",
    time="18/05/2024 14:40",
    cashier="Wang Xiaohong",
    lines=(
        ReceiptLine("Hand-knitted coasters", quantity=3, unit_price_fen=800, amount_fen=2400),
        ReceiptLine("红烧牛肉面 5连包", quantity=1, unit_price_fen=1290, amount_fen=1290),
    ),
    total_fen=3690,
    cash_given_fen=5000,
    change_fen=1310,
    fund_fen=738,
    labels=ENGLISH_LABELS,
    footer="Thank you!\nEvery purchase helps a neighbour.",
)
