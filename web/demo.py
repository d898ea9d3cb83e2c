"""The demo shop: a Chinese catalogue of donated goods, handicrafts and packaged food, demo staff and two tills.

`aixin demo` loads it once (it does nothing when the demo staff already exist). It puts
together pieces of several parts of the shop, which is why it lives in `web`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from donations.donors import register_donor
from lovebank import passbook
from donations.intake import GivenItem, register_donation
from donations.makers import consign_goods, register_maker
from inventory.barcodes import check_digit
from inventory.catalogue import Condition, add_category, add_item
from inventory.tables import Item
from pos.sessions import open_session
from pos.tills import add_till
from shop.settings import LoveBankSettings, ServiceType
from shop.staff import Role, create_staff, set_pin
from shop.tables import Staff

DEMO_PASSWORD = "aixin-demo"
DEMO_MANAGER_PIN = "1234"
DEMO_FLOAT_FEN = 50000  # T1's float
DEMO_STAFF = (
    ("cashier", "收银志愿者 小张", Role.CASHIER),
    ("intake", "捐赠登记 小李", Role.INTAKE),
    ("coordinator", "爱心银行 王老师", Role.COORDINATOR),
    ("manager", "店长 陈姐", Role.MANAGER),
    ("admin", "管理员", Role.ADMIN),
)

N, L, G, F = Condition.NEW, Condition.LIKE_NEW, Condition.GOOD, Condition.FAIR

CATEGORIES = (
    # code, name, name_en, source, the intake desk's starting price (fen) by condition: new, like new, good, fair
    ("clothes", "衣物", "Clothes", "donated", (3000, 2000, 1000, 500)),
    ("books", "图书", "Books", "donated", (1500, 1000, 500, 200)),
    ("household", "家居用品", "Household goods", "donated", (5000, 3000, 2000, 1000)),
    ("toys", "玩具文具", "Toys and stationery", "donated", (2000, 1200, 800, 300)),
    ("crafts", "手工艺品", "Handicrafts", "handicraft", None),
    ("food", "食品粮油", "Food and groceries", "purchased", None),
)

# Donated goods, as three donors brought them to the intake desk (None: an anonymous gift).
# Each piece gets an in-store code (prefix 20). (category, description, condition, price_fen)
DONATIONS = (
    ("李阿姨", "13812345678", (
        ("clothes", "儿童羽绒服", L, 3500),
        ("clothes", "男士羊毛衫", N, 4800),
        ("clothes", "女士呢子大衣", G, 6000),
        ("clothes", "棉布连衣裙", L, 2500),
        ("clothes", "儿童运动鞋 32码", G, 1500),
        ("clothes", "针织围巾", L, 800),
    )),
    ("张先生", "", (
        ("books", "新华字典（第12版）", L, 1200),
        ("books", "唐诗三百首", G, 600),
        ("books", "小学数学练习册", F, 300),
        ("books", "《平凡的世界》全三册", L, 2000),
        ("books", "儿童绘本 10本装", G, 1500),
    )),
    (None, "", (
        ("household", "电热水壶 1.7L", L, 2800),
        ("household", "不锈钢保温饭盒", G, 1800),
        ("household", "陶瓷茶具一套", N, 3200),
        ("household", "台灯（可调光）", G, 2200),
        ("household", "电饭煲 3L", L, 5500),
        ("toys", "积木玩具一箱", G, 2000),
        ("toys", "毛绒熊", L, 900),
        ("toys", "象棋", G, 700),
    )),
)

# Donated pieces that came in weeks ago (the demo's rotation: 30% off after 4 weeks, 50% after 8, off the shelf at 12).
AGED = (("女士呢子大衣", 5), ("棉布连衣裙", 9), ("针织围巾", 13))

CRAFTS = (
    # maker, name, price_fen, quantity
    ("王阿姨", "手工编织杯垫", 500, 12),
    ("王阿姨", "钩针毛线帽", 2800, 5),
    ("李师傅", "剪纸窗花（福字）", 1000, 20),
    ("李师傅", "中国结挂饰", 1500, 10),
    ("赵奶奶", "布艺老虎枕", 4500, 3),
    ("赵奶奶", "手工绣花鞋垫", 1200, 8),
)

# Packaged goods with their maker's EAN-13 (Chinese GS1 prefix 690–699; check digits computed).
FOOD = (
    ("6901234500011", "红烧牛肉面 5连包", 1250, 40),
    ("6901234500028", "东北大米 5kg", 3990, 15),
    ("6901234500035", "花生油 1.8L", 4590, 10),
    ("6901234500042", "纯牛奶 250ml×12", 4200, 12),
    ("6901234500059", "挂面 1kg", 890, 30),
    ("6901234500066", "酱油 500ml", 1090, 20),
    ("6901234500073", "苏打饼干", 650, 25),
    ("6901234500080", "速溶燕麦片 1kg", 2380, 10),
)


def food_code(body12: str) -> str:
    return body12[:12] + str(check_digit(body12[:12]))


async def demo_loaded() -> bool:
    return bool(await Staff.exists().where(Staff.username == DEMO_STAFF[0][0]))


# The love bank: members (name, phone) and their service (member, days ago, start, place, content, the
# service type's place in config, half-hours, witness); all approved but the last, which waits for approval.
MEMBERS = (("王阿姨", "13900001111"), ("李叔叔", ""), ("张奶奶", "13700002222"))
SERVICE = (
    (0, 20, "09:00", "幸福社区 3 号楼", "陪独居老人聊天、读报", 0, 4, "楼长 陈师傅"),
    (0, 12, "14:00", "爱心超市", "理货、整理捐赠衣物", 4, 6, "店长 陈姐"),
    (1, 9, "08:30", "社区花园", "清理垃圾、垃圾分类宣传", 1, 3, "网格员 小刘"),
    (1, 5, "19:00", "社区活动室", "辅导小学生作业", 3, 4, "社工 周老师"),
    (0, 3, "09:30", "幸福社区 5 号楼", "帮行动不便的老人买菜", 0, 2, "楼长 陈师傅"),
    (2, 1, "15:00", "社区活动室", "教老人用智能手机", 2, 4, "社工 周老师"),
)


async def load_lovebank_demo(*, shop_id: int, coordinator_id: int, manager_id: int, today: date,
                             types: Sequence[ServiceType]) -> None:
    """Three members with approved service and points (entered by the coordinator, approved by the manager), a
    gift to another member and one to the community fund, and one service waiting for the coordinator's approval."""
    members = [(await passbook.open_member(shop_id=shop_id, name=name, phone=phone, may_contact=bool(phone),
                                           staff_id=coordinator_id)).id for name, phone in MEMBERS]
    for n, (who, days_ago, start, place, content, kind, half_hours, witness) in enumerate(SERVICE):
        last = n == len(SERVICE) - 1
        entered = await passbook.record_service(
            shop_id=shop_id, member_id=members[who], served_on=today - timedelta(days=days_ago), start_time=start,
            place=place, content=content, service_type=types[kind % len(types)].code, half_hours=half_hours,
            witness=witness, staff_id=manager_id if last else coordinator_id, today=today, types=types, max_hours=12)
        if not last:
            await passbook.approve_service(shop_id=shop_id, record_id=entered.id, staff_id=manager_id, types=types)
    for giver, receiver, points, note in ((0, 2, min(10, await passbook.points_of(members[0])), "谢谢张奶奶的照顾"),
                                          (1, None, min(5, await passbook.points_of(members[1])), "")):
        if points:
            await passbook.donate_points(shop_id=shop_id, from_member_id=members[giver],
                                         to_member_id=None if receiver is None else members[receiver],
                                         points=points, staff_id=coordinator_id, note=note)


async def load_demo(*, shop_id: int, today: date, service_types: Sequence[ServiceType] | None = None) -> bool:
    """Load the demo shop; False when it was already there."""
    if await demo_loaded():
        return False
    staff_ids = {}
    for username, name, role in DEMO_STAFF:
        staff = await create_staff(shop_id=shop_id, username=username, password=DEMO_PASSWORD, role=role,
                                   display_name=name)
        staff_ids[username] = staff.id
    await set_pin(username="manager", pin=DEMO_MANAGER_PIN)  # approves big discounts and the fund's points at the till
    intake = staff_ids["intake"]
    t1 = await add_till(shop_id=shop_id, code="T1", name="一号收银台")
    await add_till(shop_id=shop_id, code="T2", name="二号收银台")
    # T1 was opened this morning with ¥500.00 counted into its drawer; T2 is closed (the till asks for its float).
    await open_session(shop_id=shop_id, till_id=t1, staff_id=staff_ids["cashier"], float_fen=DEMO_FLOAT_FEN)
    categories = {}
    for code, name, name_en, source, prices in CATEGORIES:
        categories[code] = await add_category(
            shop_id=shop_id, code=code, name=name, name_en=name_en, source=source, perishable=code == "food",
            prices=dict(zip((N, L, G, F), prices)) if prices else None)
    for number, (donor, phone, items) in enumerate(DONATIONS, start=1):
        donor_id = (await register_donor(shop_id=shop_id, name=donor, phone=phone, may_contact=bool(phone),
                                         staff_id=intake)).id if donor else None
        await register_donation(
            shop_id=shop_id, volunteer_id=intake, donor_id=donor_id, idempotency_key=f"demo-donation-{number}",
            today=today, items=[GivenItem(category=category, description=description, condition=condition,
                                          quantity=1, price_fen=price) for category, description, condition, price in items])
    # Some of the clothes have waited on the rail a while: the rotation marks them down at the till.
    for name, weeks in AGED:
        await Item.update({Item.created_at: datetime.now(UTC) - timedelta(weeks=weeks)}).where(
            (Item.shop == shop_id) & (Item.name == name))
    makers: dict[str, int] = {}
    for maker, name, price, quantity in CRAFTS:
        if maker not in makers:
            makers[maker] = await register_maker(shop_id=shop_id, name=maker)
        await consign_goods(shop_id=shop_id, maker_id=makers[maker], category_code="crafts", name=name,
                            price_fen=price, quantity=quantity, staff_id=intake)
    for code, name, price, quantity in FOOD:
        await add_item(shop_id=shop_id, barcode=food_code(code), name=name, category_id=categories["food"],
                       price_fen=price, quantity=quantity, staff_id=intake, reason="demo purchase",
                       expires_on=today + timedelta(days=180))
    await load_lovebank_demo(shop_id=shop_id, coordinator_id=staff_ids["coordinator"], manager_id=staff_ids["manager"],
                             today=today, types=service_types or LoveBankSettings().service_types)
    return True
