"""The district's view (issue 19): every shop's figures for the street office, which reads and changes nothing.

Only a district user reaches it (Role.DISTRICT; web/auth.py lets them GET alone); a shop's staff, its admin too,
read their own shop's report (web/reports.py).
"""

from __future__ import annotations

from datetime import date, datetime

from litestar import Controller, get
from litestar.params import FromQuery

from pos.district import DistrictFigures, district_figures
from pos.reports import period_of
from shop.staff import Role
from web.auth import requires_role
from web.inputs import Text
from web.shopfront import Front


class DistrictApi(Controller):
    path = "/api/district"
    guards = [requires_role(Role.DISTRICT)]
    tags = ["district"]

    @get("/figures", summary="A period's figures of every shop (as each shop's report), one row per shop by its "
         "code, and the district's total")
    async def figures(self, front: Front, period: FromQuery[Text] = "day", day: FromQuery[date | None] = None,
                      last: FromQuery[date | None] = None, by: FromQuery[Text] = "shop") -> DistrictFigures:
        zone = front.settings.zone
        chosen = period_of(period, day or datetime.now(zone).date(), last)
        return await district_figures(period=chosen, zone=zone, by=by)
