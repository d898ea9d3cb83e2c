"""The scan answered by the middleware itself (web/api.py scan_at_once): byte for byte what the route's handler
answers, for every demo item and for every code it refuses, on both databases."""

from __future__ import annotations

from urllib.parse import quote

from inventory.barcodes import in_store_code
from inventory.catalogue import update_item
from inventory.tables import Item
from tests.web.test_catalogue_feed_api import demo  # noqa: F401 - the demo shop, a cashier logged in
from web.auth import ANSWER_AT_ONCE

SCAN = "/api/till/items/{barcode:str}"


def scan_handler(app):
    return next(route.route_handler_map["GET"][0] for route in app.routes if route.path == SCAN)


async def answers(till, codes: list[str]) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    out = []
    for code in codes:
        response = await till.get("/api/till/items/" + quote(code, safe=""))
        out.append((response.status_code, sorted(response.headers.multi_items()), response.content))
    return out


async def test_the_scan_answered_at_once_is_the_handlers_answer_byte_for_byte(demo):  # noqa: F811
    # given the demo's items (marked down clothes, food with its expiry, makers' crafts), one withdrawn, and codes
    # the till refuses: a wrong check digit, unknown, too short, too long, a control character, spaces around
    items = [row["barcode"] for row in await Item.select(Item.barcode).order_by(Item.id)]
    withdrawn = items[-1]
    await update_item(shop_id=demo.shop_id, barcode=withdrawn, name="下架的东西", category="toys", location="",
                      low_stock_at=None, active=False)
    refused = ["6901234500012", in_store_code(99_999), "123", "6" * 201, "69012345\x0100011", "abc"]
    codes = items + refused + [f" {items[0]} "]
    handler = scan_handler(demo.app)
    at_once = handler.opt[ANSWER_AT_ONCE]
    answered_at_once = []

    async def counted(scope, front):
        body = await at_once(scope, front)
        answered_at_once.append(body is not None)
        return body

    # when every code is scanned with the middleware's answer, then by the handler alone
    handler.opt[ANSWER_AT_ONCE] = counted
    try:
        fast = await answers(demo, codes)
        del handler.opt[ANSWER_AT_ONCE]
        by_handler = await answers(demo, codes)
    finally:
        handler.opt[ANSWER_AT_ONCE] = at_once
    # then the middleware answered each item found, the handler every refusal, and each answer is the same
    assert answered_at_once == [code != withdrawn for code in items] + [False] * len(refused) + [True]
    assert [status for status, _, _ in fast] == [200] * (len(items) - 1) + [409] + [400, 404, 400, 400, 400, 400, 200]
    for code, one, other in zip(codes, fast, by_handler):
        assert one == other, code
    marked_down = [body for status, _, body in fast if status == 200 and b'"markdown_percent":0,' not in body]
    assert marked_down and any(b'"expires_on":"' in body for _, _, body in fast)
