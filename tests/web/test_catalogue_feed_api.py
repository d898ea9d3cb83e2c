"""GET /api/till/catalogue through real HTTP: the same prices as the scanner for every demo item, increments after a
price change, a new item and a withdrawal, the maker of consigned goods, and refusals in the person's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from inventory.catalogue import add_item, change_price, update_item
from inventory.tables import CatalogueCounter, Category, Item
from shop.shops import ensure_shop
from shop.tables import Staff
from tests.web.conftest import Shop, running
from web.app import create_app
from web.demo import CRAFTS, DEMO_PASSWORD, load_demo

ITEM_FIELDS = {"barcode", "name", "price_fen", "list_price_fen", "markdown_percent", "category", "category_name",
               "accepts_points", "expires_on", "maker", "on_hand", "came_in_day"}


async def walk(till, limit: int = 7, **query) -> tuple[dict, list[dict], list[str]]:
    """Every page of a walk over HTTP: (the first page, all items, all removed codes)."""
    params = {"limit": limit, **query}
    response = await till.get("/api/till/catalogue", params=params)
    assert response.status_code == 200, response.text
    first = current = response.json()
    items, removed = list(first["items"]), list(first["removed"])
    while current["next_after"] is not None:
        response = await till.get("/api/till/catalogue", params={**params, "after": current["next_after"]})
        assert response.status_code == 200, response.text
        current = response.json()
        assert current["version"] >= first["version"]
        items += current["items"]
        removed += current["removed"]
    return first, items, removed


@pytest.fixture
async def demo(db, settings):
    """The demo shop (`aixin demo`'s catalogue, its aged clothes and its makers' goods) served, a cashier logged in."""
    shop_id = await ensure_shop(settings.shop)
    assert await load_demo(shop_id=shop_id, today=datetime.now(settings.zone).date(),
                           service_types=settings.lovebank.service_types)
    async with running(create_app(settings, engine=db)) as app:
        shop = Shop(app, Path(settings.printer.path))
        till = await shop.logged_in("cashier", DEMO_PASSWORD)
        till.shop_id = shop_id
        yield till
        for client in shop.clients:
            await client.aclose()


async def test_the_feed_and_the_scanner_agree_on_every_demo_item(demo):
    # when the whole catalogue is walked
    first, items, removed = await walk(demo)
    # then every sellable demo item comes once, with exactly the fields of the contract
    active = await Item.select(Item.barcode).where(Item.active == True)  # noqa: E712
    assert sorted(item["barcode"] for item in items) == sorted(row["barcode"] for row in active)
    assert removed == [] and first["full"] is False and first["day"] == datetime.now(UTC).astimezone(
        demo.app.state["shopfront"].settings.zone).date().isoformat()
    assert all(set(item) == ITEM_FIELDS for item in items)
    # and each as the scanner answers it now: aged clothes marked down, food with its expiry, crafts with a maker
    for item in items:
        scanned = (await demo.get(f"/api/till/items/{item['barcode']}")).json()
        assert {key: item[key] for key in ("barcode", "name", "price_fen", "list_price_fen", "markdown_percent",
                                           "accepts_points", "on_hand", "expires_on")} == {
            key: scanned[key] for key in ("barcode", "name", "price_fen", "list_price_fen", "markdown_percent",
                                          "accepts_points", "on_hand", "expires_on")}
        assert item["category_name"] == scanned["category"]
    assert {item["markdown_percent"] for item in items} == {0, 30, 50}
    makers = {name: maker for maker, name, _, _ in CRAFTS}
    assert {item["name"]: item["maker"] for item in items if item["category"] == "crafts"} == makers
    assert all(item["maker"] == "" for item in items if item["category"] != "crafts")


async def test_after_a_price_change_a_new_item_and_a_withdrawal_the_increment_has_exactly_them(demo):
    # given a till's copy at the first page's version
    first, items, _ = await walk(demo, limit=5000)
    by_name = {item["name"]: item for item in items}
    manager = (await Staff.select(Staff.id).where(Staff.username == "manager").first())["id"]
    # when the manager reprices a book, an item comes in and a toy is withdrawn
    book = by_name["唐诗三百首"]
    await change_price(shop_id=demo.shop_id, barcode=book["barcode"], price_fen=800, staff_id=manager)
    toys = (await Category.select(Category.id).where(Category.code == "toys").first())["id"]
    new = await add_item(shop_id=demo.shop_id, name="跳绳", category_id=toys, price_fen=300, quantity=4)
    chess = by_name["象棋"]
    await update_item(shop_id=demo.shop_id, barcode=chess["barcode"], name="象棋", category="toys", location="",
                      low_stock_at=None, active=False)
    # then since=version gives exactly the two changed items and the withdrawn code
    later, changed, removed = await walk(demo, since=first["version"])
    assert sorted((item["barcode"], item["price_fen"]) for item in changed) == sorted(
        [(book["barcode"], 800), (new.barcode, 300)])
    assert removed == [chess["barcode"]]
    assert later["version"] > first["version"]
    # and a walk from 0 no longer has the toy
    _, again, _ = await walk(demo, limit=5000)
    assert chess["barcode"] not in {item["barcode"] for item in again}


async def test_a_till_whose_prices_are_a_week_old_gets_the_markdowns_that_moved(demo):
    # given a copy at version V; a coat that came in 29 days ago (its 30% markdown came 1 day ago)
    first, items, _ = await walk(demo, limit=5000)
    coat = next(item for item in items if item["name"] == "儿童羽绒服")
    await Item.update({Item.created_at: datetime.now(UTC) - timedelta(days=29)}).where(Item.barcode == coat["barcode"])
    version = (await walk(demo, limit=5000))[0]["version"]
    week_ago = (date.fromisoformat(first["day"]) - timedelta(days=7)).isoformat()
    # when the till says its prices are for a week ago / then the coat comes at 30% off; not the demo's clothes
    # aged 5 and 9 weeks (their steps, at 4 and 8 weeks, moved at the midnight that began that day: its prices had
    # them already), nor the scarf aged 13 weeks (its last step came 5 weeks ago)
    _, changed, _ = await walk(demo, since=version, day=week_ago)
    assert [(item["name"], item["markdown_percent"], item["price_fen"]) for item in changed] == [
        ("儿童羽绒服", 30, 3500 * 70 // 100)]
    # and with prices for today, nothing
    assert (await walk(demo, since=version, day=first["day"]))[1] == []
    # and a copy more than 30 days old is told to walk again
    stale = (await demo.get("/api/till/catalogue", params={
        "since": version, "day": (date.fromisoformat(first["day"]) - timedelta(days=31)).isoformat()})).json()
    assert stale["full"] is True and stale["items"] == [] and stale["next_after"] is None


@pytest.mark.parametrize("query", [{"since": "-1"}, {"since": "abc"}, {"after": "-5"}, {"after": "2147483648"},
                                   {"limit": "0"}, {"limit": "5001"}, {"limit": "2.5"}, {"day": "2026-13-01"},
                                   {"day": "yesterday"}])
async def test_bad_parameters_are_refused_in_the_persons_language_and_change_nothing(demo, query):
    before = await CatalogueCounter.select().order_by(CatalogueCounter.id)
    refused = await demo.get("/api/till/catalogue", params=query)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "malformed-request" and refused.json()["detail"].startswith("请求格式不对")
    demo.client.cookies.set("lang", "en")
    in_english = (await demo.get("/api/till/catalogue", params=query)).json()
    assert in_english["detail"].startswith("The request was not understood")
    assert await CatalogueCounter.select().order_by(CatalogueCounter.id) == before


async def test_the_catalogue_is_for_staff_at_the_till_only(demo):
    await demo.client.post("/logout", headers={"x-csrftoken": demo.csrf})
    demo.client.cookies.clear()
    refused = await demo.get("/api/till/catalogue")
    assert refused.status_code == 401


async def test_a_page_is_gzipped_for_a_browser_that_accepts_it_and_plain_for_one_that_does_not(demo):
    # httpx, like a browser, asks for gzip and unpacks it
    zipped = await demo.get("/api/till/catalogue", params={"limit": 30}, headers={"accept-encoding": "gzip, br"})
    plain = await demo.get("/api/till/catalogue", params={"limit": 30}, headers={"accept-encoding": "identity"})
    refused = await demo.get("/api/till/catalogue", params={"limit": 30}, headers={"accept-encoding": "gzip;q=0"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "accept-encoding"
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers
    assert len(zipped.content) > 1024 and int(zipped.headers["content-length"]) < len(zipped.content) / 3
    assert zipped.json() == plain.json() == refused.json() and len(plain.json()["items"]) == 30
    # and the API's schema still describes the page
    schema = (await demo.get("/schema/openapi.json")).json()
    assert "CatalogueOut" in str(schema["paths"]["/api/till/catalogue"])


async def test_a_page_says_how_to_price_the_copy_on_another_day(demo):
    # when the whole catalogue is walked
    first, items, _ = await walk(demo, limit=5000)
    settings = demo.app.state["shopfront"].settings
    # then the page gives the shop's rotation and zone, and each ageing item the shop day it came in
    assert first["rotation"] == {"steps": [{"weeks": s.weeks, "percent": s.percent} for s in settings.rotation.steps],
                                 "remove_after_weeks": settings.rotation.remove_after_weeks, "zone": "Asia/Shanghai"}
    came_in = {row["barcode"]: (row["created_at"], row["source"], row["perishable"]) for row in await Item.select(
        Item.barcode, Item.created_at, Item.category.source.as_alias("source"),
        Item.category.perishable.as_alias("perishable"))}
    for item in items:
        at, source, perishable = came_in[item["barcode"]]
        ageing = source in settings.rotation.sources and not perishable
        assert item["came_in_day"] == (at.astimezone(settings.zone).date().isoformat() if ageing else None)
    # and priced by those sums on the page's day, every item is at the page's price (the till's sums, in Python)
    day = date.fromisoformat(first["day"])
    for item in (item for item in items if item["came_in_day"]):
        age = (day - date.fromisoformat(item["came_in_day"])).days
        percent = max([s["percent"] for s in first["rotation"]["steps"] if age >= 7 * s["weeks"]], default=0)
        assert (item["markdown_percent"], item["price_fen"]) == (
            percent, item["list_price_fen"] * (100 - percent) // 100)
    assert {item["markdown_percent"] for item in items if item["came_in_day"]} == {0, 30, 50}
