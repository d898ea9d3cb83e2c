"""A manager's changes of a category's split and of a maker's terms over real HTTP: each kept with who made it, and
shown where the manager sets them (the categories page, the maker's page)."""

from donations.tables import MakerTermsChange
from inventory.tables import CategoryRuleChange


async def form(client, url, data):
    return await client.client.post(url, data={**data, "_csrf_token": client.csrf}, follow_redirects=False)


async def test_a_categorys_split_changed_from_the_page_and_the_api_is_kept_with_who_and_shown(manager, goods):
    # given no change yet
    page = await manager.get("/manager/catalogue/categories")
    assert page.status_code == 200 and "分成规则没有改动过。" in page.text
    # when the manager gives food its own split on the page, then changes it by the API
    done = await form(manager, "/manager/catalogue/categories/food",
                      {"accepts_points": "on", "fund_percent": "10", "maker_percent": "0"})
    assert done.status_code in (302, 303)
    done = await manager.put_json("/api/catalogue/categories/food", {"accepts_points": True, "perishable": False,
                                                                    "fund_percent": 12, "maker_percent": 0})
    assert done.status_code == 200 and done.json()["fund_percent"] == 12
    # then both changes are kept with the manager who made them
    rows = await CategoryRuleChange.select().order_by(CategoryRuleChange.id)
    assert [(r["old_fund_percent"], r["new_fund_percent"], r["changed_by"]) for r in rows] == [
        (None, 10, goods.manager_id), (10, 12, goods.manager_id)]
    # and the page shows them: from the source's rule to 10%, from 10% to 12%, by 陈姐
    page = await manager.get("/manager/catalogue/categories")
    shown = page.text[page.text.index('id="split-changes"'):]
    assert "按货品来源规则" in shown and "慈善基金 10%" in shown and "慈善基金 12%" in shown and shown.count("陈姐") == 2


async def test_a_makers_terms_changed_from_the_page_and_the_api_are_kept_with_who_and_shown(browser, goods):
    await browser.login("manager", "manager-pw")
    url = f"/intake/makers/{goods.maker_id}"
    assert "分成条件没有改动过。" in (await browser.get(url)).text
    assert (await form(browser, url + "/terms", {"fund_percent": "10", "maker_percent": "85"})).status_code in (302,
                                                                                                                303)
    done = await browser.put_json(f"/api/makers/{goods.maker_id}/terms", {"fund_percent": None,
                                                                          "maker_percent": None})
    assert done.status_code == 200
    rows = await MakerTermsChange.select().order_by(MakerTermsChange.id)
    assert [(r["old_fund_percent"], r["new_fund_percent"], r["changed_by"]) for r in rows] == [
        (None, 10, goods.manager_id), (10, None, goods.manager_id)]
    page = await browser.get(url)
    shown = page.text[page.text.index('id="terms-changes"'):]
    assert "慈善基金 10%" in shown and "按类别规则" in shown and shown.count("陈姐") == 2
