"""Stock takes over HTTP: the API under /api/stocktakes and the pages under /manager/stocktakes."""

from __future__ import annotations

from litestar import Controller

from shop.staff import Role
from web.auth import requires_role
from web.i18n import N_

# The sentences of inventory.stocktake's error codes, to be moved into web.i18n.ERROR_MESSAGES.
STOCKTAKE_MESSAGES: dict[str, str] = {}
_ = N_


class StockTakesApi(Controller):
    path = "/api/stocktakes"
    guards = [requires_role(Role.MANAGER)]
    tags = ["stock takes"]


class StockTakePages(Controller):
    path = "/manager/stocktakes"
    guards = [requires_role(Role.MANAGER)]
    include_in_schema = False
