"""Finding an item without its label, on both engines: by name, part of its code, pinyin initials or full pinyin."""

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from inventory.catalogue import add_item, categories_of, find_items
from inventory.pinyin_readings import cache_file, readings
from inventory.search import pinyin_keys, search_terms
from inventory.stock import write_off
from inventory.tables import Item


@pytest.mark.parametrize("name, keys", [
    ("爱心杯", ("axb", "aixinbei")),
    ("红烧牛肉面 5连包", ("hsnrm5lb", "hongshaoniuroumian5lianbao")),
    ("长城 重庆", ("cccq", "changchengchongqing")),  # phrase-aware: 重庆 is chongqing
    ("Nike T恤 XL", ("niketxxl", "niketxuxl")),
    ("", ("", "")),
    ("重庆", ("cq", "chongqing")),  # 重 alone is zhong
    ("银行", ("yh", "yinhang")),
    ("长大", ("zd", "zhangda")),
    ("音乐", ("yy", "yinyue")),
    ("绿色 女装", ("lsnz", "lvsenvzhuang")),
    ("市长廊", ("szl", "shizhanglang")),  # 市长 reads as its characters, yet it is cut before 长廊 (chang lang) can be
])
def test_pinyin_keys(name, keys):
    assert pinyin_keys(name) == keys


ROOT = Path(__file__).resolve().parents[2]
THIS_VERSION = version("pypinyin")


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    """The readings kept in a folder of the test's own, asked for afresh."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    readings.cache_clear()
    yield cache_file(THIS_VERSION)
    readings.cache_clear()


def test_the_server_never_holds_pypinyin_only_what_it_read_once(cache_in):
    pinyin_keys("重庆")  # the cache file is made here
    done = subprocess.run(
        [sys.executable, "-c", "import json, sys; from inventory.search import pinyin_keys; "
                               "keys = pinyin_keys('长城 重庆'); "
                               "print(json.dumps([keys, [m for m in sys.modules if 'pypinyin' in m]]))"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)  # the same XDG_CACHE_HOME: the file made above
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [["cccq", "changchengchongqing"], []]


@pytest.mark.parametrize("kept", [None, "{not json", '{"pypinyin": "0.0.1"}', '{"pypinyin": "%s"}' % THIS_VERSION])
def test_readings_missing_spoiled_or_of_another_version_are_asked_again(cache_in, kept):
    if kept is not None:
        cache_in.parent.mkdir(parents=True)
        cache_in.write_text(kept)
    assert pinyin_keys("重庆") == ("cq", "chongqing")
    assert json.loads(cache_in.read_text("utf-8"))["read_otherwise"]["重庆"] == "chong qing"


def test_readings_are_kept_in_memory_where_no_file_can_be_written(tmp_path, monkeypatch):
    (tmp_path / "a file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a file"))
    readings.cache_clear()
    try:
        assert pinyin_keys("音乐") == ("yy", "yinyue")
    finally:
        readings.cache_clear()


def test_what_a_person_types_is_tidied():
    assert search_terms("  Ai  Xin ") == ("Ai Xin", "aixin")


async def cup(goods, name="爱心杯"):
    clothes = (await categories_of(shop_id=goods.shop_id))[0].id
    return await add_item(shop_id=goods.shop_id, name=name, category_id=clothes, price_fen=1500, quantity=2)


@pytest.mark.parametrize("typed", ["axb", "AXB", "aixin", "ai xin bei", "爱心", "心杯"])
async def test_a_cashier_finds_the_cup_by_initials_full_pinyin_or_part_of_its_name(goods, typed):
    await cup(goods)
    found = await find_items(shop_id=goods.shop_id, text=typed)
    assert [item.name for item in found] == ["爱心杯"]


async def test_part_of_a_code_finds_its_item_and_nothing_is_found_for_nothing(goods):
    new = await cup(goods)
    assert [i.barcode for i in await find_items(shop_id=goods.shop_id, text=new.barcode[-5:])] == [new.barcode]
    assert await find_items(shop_id=goods.shop_id, text="   ") == []
    assert await find_items(shop_id=goods.shop_id, text="%") == []
    assert await find_items(shop_id=goods.shop_id, text="zzzz") == []


async def test_items_in_stock_come_first_and_withdrawn_items_are_left_out(goods):
    red = await cup(goods, "爱心杯 红")
    await cup(goods, "爱心杯 蓝")
    await cup(goods, "爱心杯 白")
    await write_off(shop_id=goods.shop_id, barcode=red.barcode, quantity=2, reason="damaged", staff_id=goods.manager_id)
    await Item.update({Item.active: False}).where(Item.name == "爱心杯 蓝")
    assert [i.name for i in await find_items(shop_id=goods.shop_id, text="axb")] == ["爱心杯 白", "爱心杯 红"]
    assert len(await find_items(shop_id=goods.shop_id, text="axb", include_withdrawn=True)) == 3


def keys_by_pypinyin(name: str) -> tuple[str, str]:
    """pinyin_keys as pypinyin itself gives them (imported here, in the test process only)."""
    from pypinyin import lazy_pinyin

    initials, full = [], []
    for syllable in lazy_pinyin(name, errors=lambda text: ["\x00" + text]):
        kept = "".join(re.findall("[0-9a-z]+", syllable[1:].lower())) if syllable.startswith("\x00") else None
        initials.append(syllable[:1].lower() if kept is None else kept)
        full.append(syllable.lower() if kept is None else kept)
    return "".join(initials), "".join(full)


def test_the_keys_are_pypinyins_for_every_phrase_it_knows_and_every_demo_name():
    from pypinyin.constants import PHRASES_DICT

    from web.demo import CRAFTS, DONATIONS, FOOD

    def texts(value) -> list[str]:
        return [value] if isinstance(value, str) else [t for part in value for t in texts(part)] \
            if isinstance(value, (tuple, list)) else []

    names = list(PHRASES_DICT) + texts((CRAFTS, DONATIONS, FOOD)) + ["市长廊", "蓝调整", "重庆长城 T恤XL 〇"]
    differ = [name for name in names if pinyin_keys(name) != keys_by_pypinyin(name)]
    assert len(names) > 47_000 and differ == []
