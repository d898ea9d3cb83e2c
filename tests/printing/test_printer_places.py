"""Which printer serves a place, as every receipt asks it (printing/printer_setup.py): kept for a while, forgotten at
once by a change made in this process, seen within PLACES_FRESH_SECONDS when another process makes it."""

from __future__ import annotations

import printing.printer_setup as setup
from printing.printer_setup import add_printer, assign, change_printer, printer_for, remove_printer
from printing.profiles import PrinterProfile
from shop.database import run


async def test_a_change_made_here_is_seen_at_once_and_one_made_elsewhere_within_the_fresh_window(db, tmp_path,
                                                                                                  monkeypatch):
    monkeypatch.setattr(setup, "PLACES_FRESH_SECONDS", 60.0)  # a slow machine stays within it
    stored = await add_printer(shop_id=1, name="前台", connection=f"file:{tmp_path / 'T1'}", bounds=None)
    assert await printer_for(shop_id=1, place="till:T1") is None  # config.toml's printer, and that is kept

    await assign(shop_id=1, place="till:T1", printer_id=stored.id)
    assert (await printer_for(shop_id=1, place="till:T1")).id == stored.id  # at once

    await change_printer(shop_id=1, printer_id=stored.id, bounds=None, profile=PrinterProfile(columns=32))
    assert (await printer_for(shop_id=1, place="till:T1")).profile.columns == 32  # the new profile at once

    await run(db, "DELETE FROM printer_place")  # as another process of the shop would
    assert (await printer_for(shop_id=1, place="till:T1")).id == stored.id  # kept for a while
    monkeypatch.setattr(setup, "PLACES_FRESH_SECONDS", 0.0)  # as if that while had passed
    assert await printer_for(shop_id=1, place="till:T1") is None

    monkeypatch.setattr(setup, "PLACES_FRESH_SECONDS", 60.0)
    await assign(shop_id=1, place="till:T1", printer_id=stored.id)
    assert (await printer_for(shop_id=1, place="till:T1")).id == stored.id
    await remove_printer(shop_id=1, printer_id=stored.id)
    assert await printer_for(shop_id=1, place="till:T1") is None  # removed: at once
