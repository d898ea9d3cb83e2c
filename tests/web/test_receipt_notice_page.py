"""The fund's public notice on a receipt through real HTTP (issue 23): a sale's printed receipt carries the QR code of
the notice page for its month, and the receipt page links to it; without an address, neither."""

import uuid
from pathlib import Path

import msgspec

from pos.numbers import sale_id_of
from pos.tables import Sale
from shop.settings import NoticeSettings
from tests.printing.escpos_decode import QrCode, decode
from tests.web.conftest import Till, client_of, running
from web.app import create_app

ADDRESS = "https://aixin.example.org/notice"


async def sell_and_preview(db, settings, goods, address: str):
    settings = msgspec.structs.replace(settings, notice=NoticeSettings(address=address))
    async with running(create_app(settings, engine=db)) as app, client_of(app) as client:
        till = Till(app, client, Path(settings.printer.path))
        assert (await till.login("cashier", "cashier-pw")).status_code in (302, 303)
        response = await till.post("/api/sales", json={"till": "T1", "idempotency_key": uuid.uuid4().hex,
                                                        "cash_given_fen": 5000,
                                                        "lines": [{"barcode": goods.coat, "quantity": 1}]})
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        [paper] = await till.printed(f"*{number}*")
        page = await till.get(f"/sales/{number}/receipt")
        assert page.status_code == 200
        created = (await Sale.select(Sale.created_at).where(Sale.id == sale_id_of(number)).first())["created_at"]
        return decode(paper.read_bytes()), page.text, created.astimezone(settings.zone).strftime("%Y-%m")


async def test_the_printed_receipt_and_its_page_give_the_notice_for_the_sales_month(db, settings, goods):
    printout, page, month = await sell_and_preview(db, settings, goods, ADDRESS)

    url = f"{ADDRESS}?month={month}"
    assert [event.data for event in printout.events if isinstance(event, QrCode)] == [url]
    assert f'<a href="{url}">{url}</a>' in page


async def test_without_an_address_neither(db, settings, goods):
    printout, page, _ = await sell_and_preview(db, settings, goods, "")

    assert not any(isinstance(event, QrCode) for event in printout.events)
    assert "notice?month" not in page and "receipt-notice" not in page
