"""Setting up printers through real HTTP, on both databases, with a fake network printer at the other end."""

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from printing.test_page import SAMPLE, render_test_page
from tests.printing.escpos_decode import Barcode, Drawer, Image, decode
from tests.printing.fake_printer import FakePrinter
from tests.web.conftest import Till, print_queued
from web.printers import TEST_PAGE_TITLE


@pytest.fixture
def fake():
    with FakePrinter() as printer:
        yield printer


async def received(till: Till, printer: FakePrinter) -> bytes:
    """What the print worker sent, once it has printed every due job and the printer has read it all."""
    await print_queued(till.app)
    return await asyncio.to_thread(printer.settle)


def sale_body(goods, till="T1"):
    return {"till": till, "idempotency_key": uuid.uuid4().hex, "cash_given_fen": 1200,
            "lines": [{"barcode": goods.book, "quantity": 1}]}


async def add(manager, name, connection):
    response = await manager.post("/api/printers/", json={"name": name, "connection": connection})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_printer_is_added_its_test_page_printed_and_the_line_that_read_right_kept(manager, fake):
    # given
    printer = await add(manager, "前台小票机", f"tcp://127.0.0.1:{fake.port}")
    assert (printer["profile"]["encoding"], printer["tested"], printer["places"]) == ("gb18030", False, [])

    # when: the test page prints
    sent = await manager.post(f"/api/printers/{printer['id']}/test-page")

    # then: the printer got exactly the test page, whose line 2 (GBK + FS &) reads the sample
    assert sent.status_code == 200, sent.text
    data = await asyncio.to_thread(fake.settle)
    assert data == render_test_page(title=TEST_PAGE_TITLE, connection=f"tcp://127.0.0.1:{fake.port}")
    line_2 = next(line for line in decode(data).lines if line.raw.startswith(b"2. "))
    assert line_2.raw.decode("gbk") == f"2. {SAMPLE}" and line_2.chinese_mode

    # when: the volunteer types line 2 and the 32-column ruler
    chosen = await manager.post(f"/api/printers/{printer['id']}/choice", json={"line": 2, "ruler": 32})

    # then: the profile is stored
    assert chosen.status_code == 200, chosen.text
    profile = chosen.json()["profile"]
    assert (profile["encoding"], profile["chinese_mode"], profile["columns"], profile["raster_chinese"]) == (
        "gbk", True, 32, False)
    assert chosen.json()["tested"] and chosen.json()["paper_mm"] == 58
    listed = (await manager.get("/api/printers/")).json()
    assert [(p["name"], p["profile"]["encoding"]) for p in listed] == [("前台小票机", "gbk")]


async def test_open_the_drawer_on_each_pin_with_the_profiles_times(manager, fake):
    # given: pulse times of this drawer
    printer = await add(manager, "收银台", f"tcp://127.0.0.1:{fake.port}")
    changed = await manager.put_json(f"/api/printers/{printer['id']}", {"profile": {
        "drawer_on_ms": 120, "drawer_off_ms": 240}})
    assert changed.status_code == 200, changed.text

    # when
    for pin in (2, 5):
        response = await manager.post(f"/api/printers/{printer['id']}/drawer", json={"pin": pin})
        assert response.status_code == 200, response.text

    # then
    events = decode(await asyncio.to_thread(fake.settle)).events
    assert [event for event in events if isinstance(event, Drawer)] == [Drawer(2, 120, 240), Drawer(5, 120, 240)]
    refused = await manager.post(f"/api/printers/{printer['id']}/drawer", json={"pin": 3})
    assert refused.status_code == 400 and refused.json()["code"] == "printer-bad-profile"


async def test_a_printer_that_cannot_be_reached_says_why_in_chinese(manager, fake):
    printer = await add(manager, "后台", f"tcp://127.0.0.1:{fake.port}")
    fake.mode = "refuse"
    response = await manager.post(f"/api/printers/{printer['id']}/test-page")
    assert response.status_code == 503
    assert response.json()["code"] == "printer-unreachable"
    assert "打印机" in response.json()["detail"] and "refused" in response.json()["detail"]


async def test_wrong_settings_are_refused_with_a_sentence_and_change_nothing(manager, fake):
    printer = await add(manager, "小票机", f"tcp://127.0.0.1:{fake.port}")
    for body, status, code in (
        ({"name": "新的", "connection": "192.168.1.50"}, 400, "printer-bad-connection"),
        ({"name": "新的", "connection": "tcp://10.0.0.1:99999"}, 400, "printer-bad-connection"),
        ({"name": "", "connection": "usb:0416:5011"}, 400, "printer-bad-name"),
        ({"name": "小票机", "connection": "usb:0416:5011"}, 409, "printer-name-taken"),
        ({"name": "新的", "connection": "usb:0416:5011", "profile": {"columns": 40}}, 400, "printer-bad-profile"),
        ({"name": "新的", "connection": "usb:0416:5011", "profile": {"drawer_on_ms": 1000}}, 400,
         "printer-bad-drawer-pulse"),
    ):
        response = await manager.post("/api/printers/", json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), (body, response.text)
        assert response.json()["detail"]
    bad_line = await manager.post(f"/api/printers/{printer['id']}/choice", json={"line": 9, "ruler": 48})
    assert (bad_line.status_code, bad_line.json()["code"]) == (400, "printer-bad-test-line")
    assert "第 1 到第 5 行" in bad_line.json()["detail"]
    assert (await manager.post("/api/printers/999/test-page")).json()["code"] == "unknown-printer"
    assert [p["name"] for p in (await manager.get("/api/printers/")).json()] == ["小票机"]
    assert (await manager.get(f"/api/printers/{printer['id']}")).json()["tested"] is False


async def test_a_till_prints_on_its_assigned_printer_with_its_profile_and_back_on_config_when_unassigned(
        manager, goods, fake):
    # given: a 58 mm GBK printer, assigned to till T1 while the shop is open
    printer = await add(manager, "一号台小票机", f"tcp://127.0.0.1:{fake.port}")
    await manager.post(f"/api/printers/{printer['id']}/choice", json={"line": 2, "ruler": 32})
    assigned = await manager.put_json("/api/printers/places", {"place": "till:T1", "printer_id": printer["id"]})
    assert assigned.status_code == 200, assigned.text
    assert {p["place"]: p["printer_id"] for p in assigned.json()} == {"till:T1": printer["id"], "intake": None}

    # when: a sale at T1
    sale = await manager.post("/api/sales", json=sale_body(goods))
    assert sale.status_code == 201, sale.text

    # then: its receipt came out of that printer, in GBK on 32 columns
    printout = decode(await received(manager, fake))
    assert any(sale.json()["number"] in text for text in printout.texts)
    assert max(len(line.raw.decode("gbk")) for line in printout.lines) <= 32
    assert "-" * 32 in printout.texts and "-" * 48 not in printout.texts
    assert not list(manager.print_folder.glob("*receipt*"))

    # when: unassigned, the next sale prints on config.toml's printer again
    await manager.put_json("/api/printers/places", {"place": "till:T1", "printer_id": None})
    assert (await manager.post("/api/sales", json=sale_body(goods))).status_code == 201
    assert await manager.printed("*receipt*")


async def test_a_printer_moved_to_another_connection_prints_there_without_a_restart(manager, goods, fake):
    printer = await add(manager, "小票机", f"tcp://127.0.0.1:{fake.port}")
    await manager.put_json("/api/printers/places", {"place": "till:T1", "printer_id": printer["id"]})
    with FakePrinter() as other:
        moved = await manager.put_json(f"/api/printers/{printer['id']}", {"connection": f"tcp://127.0.0.1:{other.port}"})
        assert moved.status_code == 200 and moved.json()["connection"] == f"tcp://127.0.0.1:{other.port}"
        assert (await manager.post("/api/sales", json=sale_body(goods))).status_code == 201
        assert decode(await received(manager, other)).lines
    assert fake.received == b""


async def test_the_intake_desk_prints_labels_on_its_printer_with_native_or_image_barcodes(manager, goods, fake):
    printer = await add(manager, "标签机", f"tcp://127.0.0.1:{fake.port}")
    await manager.put_json(f"/api/printers/{printer['id']}", {"profile": {"native_barcodes": False,
                                                                          "drawer": False}})
    await manager.put_json("/api/printers/places", {"place": "intake", "printer_id": printer["id"]})
    response = await manager.post("/api/labels/", json={"barcodes": [goods.coat]})
    assert response.status_code == 202, response.text
    events = decode(await received(manager, fake)).events
    assert not any(isinstance(event, Barcode) for event in events)
    assert [event.width for event in events if isinstance(event, Image)] == [576]


async def test_a_sample_receipt_and_label_print_with_the_profile(manager, settings):
    folder = Path(settings.server.data_dir) / "sample"  # inside the print area
    printer = await add(manager, "测试", f"file:{folder}")
    await manager.put_json(f"/api/printers/{printer['id']}", {"profile": {"encoding": "utf-8",
                                                                          "chinese_mode": False}})
    response = await manager.post(f"/api/printers/{printer['id']}/sample")
    assert response.status_code == 200, response.text
    (written,) = folder.glob("*sample*")
    printout = decode(written.read_bytes())
    assert "儿童羽绒服（九成新）" in [line.raw.decode("utf-8") for line in printout.lines]
    assert [e.data for e in printout.events if isinstance(e, Barcode)] == ["{BS00000001", "2000000000206"]
    assert not any(isinstance(e, Drawer) for e in printout.events)  # a sample does not open the drawer


async def test_places_are_the_shops_tills_and_the_intake_desk_only(manager, goods, fake):
    printer = await add(manager, "小票机", f"tcp://127.0.0.1:{fake.port}")
    unknown = await manager.put_json("/api/printers/places", {"place": "till:T9", "printer_id": printer["id"]})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-till"
    bad = await manager.put_json("/api/printers/places", {"place": "kitchen", "printer_id": printer["id"]})
    assert bad.status_code == 400 and bad.json()["code"] == "printer-bad-place"
    removed = await manager.client.delete(f"/api/printers/{printer['id']}", headers={"x-csrftoken": manager.csrf})
    assert removed.status_code == 204
    assert (await manager.get("/api/printers/")).json() == []


async def test_only_a_manager_sets_up_printers(cashier):
    assert (await cashier.get("/api/printers/")).status_code == 403
    assert (await cashier.post("/api/printers/", json={"name": "x", "connection": "usb:1:1"})).status_code == 403
    assert (await cashier.get("/manager/printers")).status_code == 403


async def test_the_printers_page_shows_the_printers_and_places(manager, fake):
    await add(manager, "前台小票机", f"tcp://127.0.0.1:{fake.port}")
    page = await manager.get("/manager/printers")
    assert page.status_code == 200
    assert "前台小票机" in page.text and SAMPLE in page.text and 'data-place="till:T1"' in page.text
    # and what is plugged into this PC, each with the connection "Add a printer" takes
    from printing.discovery import find_printers
    found = (await manager.get("/api/printers/found")).json()
    here = find_printers()
    assert [p["connection"] for p in found["usb"]] == [p.connection for p in here.usb]
    assert [p["connection"] for p in found["serial"]] == [p.connection for p in here.serial]
    assert "插在本机上的打印机" in page.text
    for port in here.serial:
        assert f'data-kind="serial" data-address="{port.device}"' in page.text


async def test_without_a_cjk_font_chinese_as_images_is_refused_and_never_holds_a_sale(db, settings, goods, fake,
                                                                                       tmp_path):
    import msgspec

    from printing.printer_setup import add_printer, assign
    from printing.profiles import PrinterProfile
    from tests.web.conftest import client_of, running
    from web.app import create_app

    # given: config.toml names a font file that is gone, and a printer already set to Chinese as images
    gone = msgspec.structs.replace(settings.printer, raster_font=str(tmp_path / "gone.ttc"))
    app = create_app(msgspec.structs.replace(settings, printer=gone), engine=db)
    stored = await add_printer(shop_id=goods.shop_id, name="旧打印机", connection=f"tcp://127.0.0.1:{fake.port}",
                               bounds=None,
                               profile=PrinterProfile(encoding="cp437", chinese_mode=False, raster_chinese=True))
    await assign(shop_id=goods.shop_id, place="till:T1", printer_id=stored.id)
    async with running(app), client_of(app) as c:
        manager = Till(app, c, tmp_path)
        await manager.login("manager", "manager-pw")
        # when: the test page's line 5 is chosen
        refused = await manager.post(f"/api/printers/{stored.id}/choice", json={"line": 5, "ruler": 48})
        # then: refused, naming the setting
        assert refused.status_code == 400 and refused.json()["code"] == "printer-no-raster-font"
        assert "printer.raster_font" in refused.json()["detail"] and "fonts-wqy-microhei" in refused.json()["detail"]
        # and a sale at T1 still goes through; its receipt prints, Chinese as "?"
        sale = await manager.post("/api/sales", json=sale_body(goods))
        assert sale.status_code == 201, sale.text
        printout = decode(await received(manager, fake))
        assert not any(isinstance(event, Image) for event in printout.events)
        assert any(sale.json()["number"] in text for text in printout.texts)


async def test_a_managers_printer_reaches_only_the_print_area_and_the_shops_networks(manager, settings, tmp_path):
    # given: files and folders outside the print area, some there and some not, and a link out of it
    data_dir = Path(settings.server.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (tmp_path / "secret.txt").write_text("x")
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", data_dir / "link-out")
    refused_files = [f"file:{tmp_path / 'secret.txt'}", f"file:{tmp_path / 'no-such-file'}",
                     f"file:{tmp_path / 'outside'}",
                     f"file:{data_dir}/../outside", f"file:{data_dir}/../no-such", f"file:{data_dir}/link-out",
                     f"file:{data_dir}/link-out/jobs", "file:/dev/null", "file:/dev/usb/lp9", "file:/etc/passwd",
                     "file:/etc/no-such-thing"]
    refused_hosts = ["tcp://8.8.8.8:9100", "tcp://169.254.169.254:80", "tcp://0.0.0.0:9100", "tcp://224.0.0.1:9100"]
    # when: a manager sets each one up
    answers = {}
    for connection in refused_files + refused_hosts:
        response = await manager.post("/api/printers/", json={"name": "外面", "connection": connection})
        answers[connection] = (response.status_code, response.json()["code"], response.json()["detail"])
    # then: one sentence per kind of refusal, the same whether the file or folder exists or not
    assert {answers[c] for c in refused_files} == {(400, "printer-file-outside", answers[refused_files[0]][2])}
    assert {answers[c] for c in refused_hosts} == {(400, "printer-host-outside", answers[refused_hosts[0]][2])}
    assert "打印区" in answers[refused_files[0]][2] and "secret" not in answers[refused_files[0]][2]
    assert "allowed_networks" in answers[refused_hosts[0]][2]
    assert (await manager.get("/api/printers/")).json() == []
    assert not (tmp_path / "outside").exists() or list((tmp_path / "outside").iterdir()) == []
    # and: folders inside the area, the shop's networks, USB and serial are set up as before
    for name, connection in (("收银台", f"file:{data_dir / 'till'}"), ("标签机", f"file:{settings.labels.path}/desk"),
                             ("网络", "tcp://192.168.1.50:9100"), ("本机", "tcp://127.0.0.1:9100"),
                             ("USB", "usb:0416:5011"), ("串口", "serial:/dev/ttyUSB0")):
        await add(manager, name, connection)
    # and: a printer cannot be moved out of the area either
    till = (await manager.get("/api/printers/")).json()[0]
    moved = await manager.put_json(f"/api/printers/{till['id']}", {"connection": "file:/tmp"})
    assert (moved.status_code, moved.json()["code"]) == (400, "printer-file-outside")


async def test_a_printer_stored_before_the_bounds_is_not_sent_to_outside_them(manager, goods, tmp_path):
    from printing.printer_setup import add_printer

    # given: a printer stored unbounded (as `aixin printer set` may), pointing outside the area
    stored = await add_printer(shop_id=goods.shop_id, name="旧的", connection=f"file:{tmp_path / 'elsewhere'}",
                               bounds=None)
    # when: a manager prints its test page from the printers page
    response = await manager.post(f"/api/printers/{stored.id}/test-page")
    # then: refused, and nothing was written there
    assert (response.status_code, response.json()["code"]) == (400, "printer-file-outside")
    assert not (tmp_path / "elsewhere").exists()
