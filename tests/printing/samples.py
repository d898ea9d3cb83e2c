"""Documents for the printing tests (labels, a donation slip, a passbook statement, X and Z reports),
and turning printed raster images back into pictures a barcode reader can scan."""

from PIL import Image as PILImage
from pyzbar import pyzbar

from printing.donation_slip import DonationItem, DonationSlip
from printing.item_labels import Label
from printing.statement import PassbookStatement, StatementRow
from printing.till_report import TillReport
from tests.printing.escpos_decode import Image

LABEL_WORDS = {"price": "售价", "date_code": "日期"}

#: Valid EAN-13s: in-store codes (prefix 20), Chinese products (690-699), German, ISBN, UPC-A.
CODES = ("2000000000015", "2000000012346", "6901234567892", "6930000000011", "4006381333931", "9780306406157",
         "0012345678905")

COAT = Label("儿童羽绒服（九成新）", 3500, "2000000000015", "2611", LABEL_WORDS, category="童装")
NOODLES = Label("红烧牛肉面 5连包", 1290, "6901234567892", "26-11-22", LABEL_WORDS)

DONATION_WORDS = {
    "title": "捐赠回执",
    "reference": "编号",
    "date": "日期",
    "donor": "捐赠人",
    "pieces": "件数",
    "not_priced": "待定价",
}
DONATION_SLIP = DonationSlip(
    shop_name="爱心超市",
    reference="D20240518-007",
    date="2024-05-18",
    donor="李阿姨",
    items=(
        DonationItem("儿童羽绒服", "九成新", 1, 3500),
        DonationItem("旧书一箱（文学、历史类）", "八成新", 12, None),
        DonationItem("Thermos flask", "", 2, 800),
    ),
    thank_you="感谢您的爱心捐赠！\n每一件物品都在帮助邻里",
    labels=DONATION_WORDS,
    impact="您捐赠的物品已售出 3 件，为社区慈善基金筹得 ￥12.50",
)

STATEMENT_WORDS = {
    "title": "爱心存折",
    "member_number": "会员号",
    "member_name": "姓名",
    "period": "期间",
    "date": "日期",
    "description": "摘要",
    "hours": "时长",
    "points": "积分",
    "balance": "余额",
    "cumulative_hours": "累计时长",
    "closing_balance": "期末余额",
}
STATEMENT_WORDS_EN = {
    "title": "Passbook",
    "member_number": "Member No.",
    "member_name": "Name",
    "period": "Period",
    "date": "Date",
    "description": "Description",
    "hours": "Hours",
    "points": "Points",
    "balance": "Balance",
    "cumulative_hours": "Total hours",
    "closing_balance": "Closing balance",
}
STATEMENT = PassbookStatement(
    shop_name="爱心超市",
    member_number="M000123",
    member_name="李阿姨",
    period="2024-05-01 至 2024-05-31",
    rows=(
        StatementRow("2024-05-03", "社区图书角整理", 25, 25, 125, 425),
        StatementRow("2024-05-10", "爱心超市理货及捐赠物品分拣（周末班）", 40, 40, 165, 465),
        StatementRow("2024-05-18", "积分兑换：大米 5kg", None, -120, 45, 465),
    ),
    closing_balance=45,
    labels=STATEMENT_WORDS,
)

TILL_WORDS = {
    "till": "收银台",
    "cashier": "收银员",
    "opened": "开班时间",
    "closed": "结束时间",
    "sales_count": "销售笔数",
    "gross": "销售总额",
    "refunds": "退款",
    "net": "净销售额",
    "cash_sales": "现金销售",
    "points": "积分支付（{points} 分）",
    "float": "备用金",
    "expected_cash": "应有现金",
    "counted_cash": "实点现金",
    "over_short": "长短款",
    "fund_share": "慈善基金",
    "makers_share": "手工者分成",
    "running_costs": "运营成本",
}
Z_REPORT = TillReport(
    shop_name="爱心超市",
    kind_title="Z 报表（日结）",
    till="1号",
    cashier="王小红",
    opened_at="2024-05-18 08:00",
    closed_at="2024-05-18 17:30",
    sales_count=42,
    gross_fen=123450,
    refunds_fen=1200,
    net_fen=122250,
    cash_sales_fen=80000,
    points_pts=1500,
    points_fen=1500,
    float_fen=20000,
    expected_cash_fen=100000,
    counted_cash_fen=99800,
    over_short_fen=-200,
    fund_share_fen=30000,
    makers_share_fen=10000,
    running_costs_fen=5000,
    labels=TILL_WORDS,
)


def picture(image: Image) -> PILImage.Image:
    """A printed GS v 0 image as a Pillow 1-bit picture (black where a dot was printed)."""
    inverted = bytes(255 - byte for byte in image.bits)  # ESC/POS: 1 is a dot; Pillow's "1": 1 is white
    return PILImage.frombytes("1", (image.width, image.height), inverted)


def scan(picture_: PILImage.Image) -> list[tuple[str, str]]:
    """What zbar reads in a picture: (symbology, data) for each barcode found."""
    return [(found.type, found.data.decode("ascii")) for found in pyzbar.decode(picture_)]
