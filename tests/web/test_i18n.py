"""Every word a person sees exists in Chinese, and every error code a person can cause has a sentence."""

from enum import StrEnum

from babel.messages.pofile import read_po

from donations.errors import DonationError
from lovebank.errors import LoveBankError
from inventory.catalogue_csv import CatalogueCsvError
from inventory.errors import InventoryError
from inventory.stocktake import StockTakeError
from pos.errors import FundError, ReturnError, SaleError, TillSessionError
from printing.profiles import PrinterSetupError
from shop.errors import DomainError, ShopError
from shop.staff import StaffError
from shop.throttle import AccessError
from web.i18n import _LOCALE_DIR, ERROR_MESSAGES, domain_error_message, error_message, gettext


def test_every_message_in_the_catalogue_is_translated_to_chinese():
    with open(_LOCALE_DIR / "messages.pot", "rb") as pot:
        template = {(m.context or "", m.id) for m in read_po(pot) if m.id}  # "By" whom, and "By" what: two
    with open(_LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po", "rb") as po:
        chinese = {(m.context or "", m.id): m.string for m in read_po(po, locale="zh_CN") if m.id}
    assert template, "the template is empty"
    missing = sorted(msgid for msgid in template if not chinese.get(msgid))
    assert missing == []


def test_one_english_word_with_two_meanings_has_two_chinese_words_by_its_context():
    from web.i18n import translations
    words = translations("zh_CN")
    assert (words.gettext("By"), words.pgettext("breakdown", "By")) == ("操作人", "分类方式")  # who did it; what by


def test_every_error_code_has_a_sentence_in_both_languages():
    codes: list[StrEnum] = [*ShopError, *InventoryError, *StockTakeError, *CatalogueCsvError, *DonationError, *LoveBankError, *SaleError,
                            *PrinterSetupError, *TillSessionError, *ReturnError, *FundError, *AccessError,
                            *StaffError]
    for code in codes:
        assert str(code) in ERROR_MESSAGES, code
        zh, en = error_message("zh_CN", str(code), {}), error_message("en", str(code), {})
        assert zh != en, code  # translated, not the English fallback


def test_money_in_messages_is_shown_as_yuan():
    error = DomainError(SaleError.NOT_ENOUGH_CASH, total=6000, given=5000)
    assert domain_error_message("zh_CN", error) == "现金不够：合计 ¥60.00，实收 ¥50.00。"
    assert domain_error_message("en", error) == "Not enough cash: the total is ¥60.00, ¥50.00 was given."
    assert gettext("zh_CN", "Total") == "合计" and gettext("en", "Total") == "Total"


def test_every_error_the_web_layer_gives_and_every_health_warning_has_a_sentence_in_both_languages():
    from web.health import WARNINGS

    for code in ("malformed-request", "not-logged-in", "forbidden", "page-expired", "server-error", "disk-full"):
        assert error_message("zh_CN", code, {}) != error_message("en", code, {}), code
    for code, words in WARNINGS.items():
        assert gettext("zh_CN", words) != gettext("en", words) == words, code
