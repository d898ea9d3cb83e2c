"""The catalogue as CSV over HTTP: export, and an import that checks every row first and shows its progress."""

from __future__ import annotations

from litestar import Controller

from shop.staff import Role
from web.auth import requires_role
from web.i18n import N_

# The sentences of inventory.catalogue_csv's error codes (merged into web.i18n.ERROR_MESSAGES).
CATALOGUE_CSV_MESSAGES: dict[str, str] = {}
_ = N_


class CatalogueCsvApi(Controller):
    path = "/api/catalogue"
    guards = [requires_role(Role.MANAGER)]
    tags = ["catalogue"]


class CatalogueImportPage(Controller):
    path = "/manager/catalogue/import"
    guards = [requires_role(Role.MANAGER)]
    include_in_schema = False
