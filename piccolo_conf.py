"""Piccolo's convention: the engine (from the shop's settings) and the apps, one per part of the shop."""

from piccolo.conf.apps import AppRegistry

from shop.database import engine_for
from shop.settings import load_settings

DB = engine_for(load_settings().database.url)

APP_REGISTRY = AppRegistry(apps=[
    "shop.piccolo_app",
    "inventory.piccolo_app",
    "donations.piccolo_app",
    "lovebank.piccolo_app",
    "pos.piccolo_app",
    "printing.piccolo_app",
])
