"""The demo shop: a Chinese catalogue of donated goods, handicrafts and packaged food, demo staff and two tills.

`aixin demo` loads it once (it does nothing when the demo staff already exist). It puts
together pieces of several parts of the shop, which is why it lives in `web`.
"""

from __future__ import annotations

from donations.makers import consign, register_maker
from inventory.barcodes import check_digit, in_store_code
from inventory.catalogue import add_category, add_item
from pos.tills import add_till
from shop.staff import Role, create_staff
from shop.tables import Staff

DEMO_PASSWORD = "aixin-demo"
DEMO_STAFF = (
    ("cashier", "收银志愿者 小张", Role.CASHIER),
    ("intake", "捐赠登记 小李", Role.INTAKE),
    ("coordinator", "爱心银行 王老师", Role.COORDINATOR),
    ("manager", "店长 陈姐", Role.MANAGER),
    ("admin", "管理员", Role.ADMIN),
)

CATEGORIES = (
    # code, name, name_en, source
    ("clothes", "衣物", "Clothes", "donated"),
    ("books", "图书", "Books", "donated"),
    ("household", "家居用品", "Household goods", "donated"),
    ("toys", "玩具文具", "Toys and stationery", "donated"),
    ("crafts", "手工艺品", "Handicrafts", "handicraft"),
    ("food", "食品粮油", "Food and groceries", "purchased"),
)

# One-off donated pieces get an in-store code (prefix 20); price in fen.
DONATED = (
    ("clothes", "儿童羽绒服（九成新）", 3500),
    ("clothes", "男士羊毛衫（全新）", 4800),
    ("clothes", "女士呢子大衣（良好）", 6000),
    ("clothes", "棉布连衣裙", 2500),
    ("clothes", "儿童运动鞋 32码", 1500),
    ("clothes", "针织围巾", 800),
    ("books", "新华字典（第12版）", 1200),
    ("books", "唐诗三百首", 600),
    ("books", "小学数学练习册", 300),
    ("books", "《平凡的世界》全三册", 2000),
    ("books", "儿童绘本 10本装", 1500),
    ("household", "电热水壶 1.7L", 2800),
    ("household", "不锈钢保温饭盒", 1800),
    ("household", "陶瓷茶具一套", 3200),
    ("household", "台灯（可调光）", 2200),
    ("household", "电饭煲 3L", 5500),
    ("toys", "积木玩具一箱", 2000),
    ("toys", "毛绒熊", 900),
    ("toys", "象棋", 700),
)

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


async def load_demo(*, shop_id: int) -> bool:
    """Load the demo shop; False when it was already there."""
    if await demo_loaded():
        return False
    staff_ids = {}
    for username, name, role in DEMO_STAFF:
        staff = await create_staff(shop_id=shop_id, username=username, password=DEMO_PASSWORD, role=role,
                                   display_name=name)
        staff_ids[username] = staff.id
    intake = staff_ids["intake"]
    await add_till(shop_id=shop_id, code="T1", name="一号收银台")
    await add_till(shop_id=shop_id, code="T2", name="二号收银台")
    categories = {code: await add_category(shop_id=shop_id, code=code, name=name, name_en=name_en, source=source)
                  for code, name, name_en, source in CATEGORIES}
    sequence = 0
    for category, name, price in DONATED:
        sequence += 1
        await add_item(shop_id=shop_id, barcode=in_store_code(sequence), name=name, category_id=categories[category],
                       price_fen=price, one_off=True, staff_id=intake, reason="demo donation")
    makers: dict[str, int] = {}
    for maker, name, price, quantity in CRAFTS:
        if maker not in makers:
            makers[maker] = await register_maker(shop_id=shop_id, name=maker)
        sequence += 1
        item = await add_item(shop_id=shop_id, barcode=in_store_code(sequence), name=name,
                              category_id=categories["crafts"], price_fen=price, quantity=quantity,
                              staff_id=intake, reason="demo consignment")
        await consign(item_id=item, maker_id=makers[maker])
    for code, name, price, quantity in FOOD:
        await add_item(shop_id=shop_id, barcode=food_code(code), name=name, category_id=categories["food"],
                       price_fen=price, quantity=quantity, staff_id=intake, reason="demo purchase")
    return True
