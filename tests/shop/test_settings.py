from pathlib import Path

import pytest

from shop.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "config.toml")


def test_the_shipped_config_loads_with_every_default_a_shop_needs():
    settings = load_settings(CONFIG, environ={})
    assert settings.shop.locale == "zh_CN" and settings.database.url.startswith("sqlite:///")
    assert settings.split.donated.fund + settings.split.donated.maker <= 100
    assert settings.printer.kind == "file" and settings.printer.width in (32, 48)


def test_environment_variables_override_any_key_including_nested_split_rules():
    settings = load_settings(CONFIG, environ={
        "AIXIN_DATABASE_URL": "postgres://u@h/db", "AIXIN_PRINTER_KIND": "network", "AIXIN_SERVER_PORT": "8080",
        "AIXIN_SPLIT_HANDICRAFT_FUND": "15", "AIXIN_PRINTER_DRAWER": "false"})
    assert settings.database.url == "postgres://u@h/db" and settings.printer.kind == "network"
    assert settings.server.port == 8080 and settings.split.handicraft.fund == 15
    assert settings.printer.drawer is False


@pytest.mark.parametrize("name, value, key", [
    ("AIXIN_SERVER_PORT", "eighty", "server.port"),
    ("AIXIN_PRINTER_WIDTH", "40", "printer.width"),
    ("AIXIN_PRINTER_KIND", "fax", "printer.kind"),
    ("AIXIN_SHOP_LOCALE", "fr", "shop.locale"),
    ("AIXIN_DATABASE_URL", "mysql://x", "database.url"),
    ("AIXIN_SPLIT_DONATED_FUND", "101", "split.donated.fund"),
    ("AIXIN_SPLIT_DONATED_MAKER", "60", "split.donated"),
    ("AIXIN_POINTS_FEN_PER_POINT", "0", "points.fen_per_point"),
    ("AIXIN_SHOP_TIMEZONE", "Mars/Olympus", "shop.timezone"),
])
def test_a_bad_value_stops_start_up_naming_its_key(name, value, key):
    with pytest.raises(SettingsError) as caught:
        load_settings(CONFIG, environ={name: value})
    assert f"setting {key} is wrong" in str(caught.value)


def test_an_unknown_key_in_the_file_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[printer]\nkind = "file"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="printer.colour"):
        load_settings(path, environ={})


def test_aixin_config_naming_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(environ={"AIXIN_CONFIG": str(tmp_path / "nope.toml")})


@pytest.mark.parametrize("address", ["aixin.example.org/notice", "https://爱心.org/notice", "https://a.org/#notice"])
def test_a_notice_address_a_receipt_cannot_carry_as_a_qr_code_stops_start_up(address):
    with pytest.raises(SettingsError, match="setting notice is wrong: address"):
        load_settings(CONFIG, environ={"AIXIN_NOTICE_ADDRESS": address})
    assert load_settings(CONFIG, environ={"AIXIN_NOTICE_ADDRESS": "https://aixin.example.org/notice?shop=2"})
