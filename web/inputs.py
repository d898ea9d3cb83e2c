"""What a request may carry, bounded at the door: a row's id is a whole number the databases can hold.

An id past PostgreSQL's INTEGER (2^31 − 1) or SQLite's 64 bits, or below 1, names no row: Litestar refuses it
as a malformed request (400, with the reason) before a handler runs, and the bounds are in the OpenAPI schema.
Text is refused the same way when it holds a control character or is too long: every JSON body is an `In`,
every form a `Form`, and text in a path or a query is `Text`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.params import Parameter

MAX_ROW_ID = 2_147_483_647  # PostgreSQL's INTEGER, the narrower of the two engines' id columns

RowId = Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)]  # a row's id in a path or a query
BodyRowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ROW_ID)]  # a row's id in a JSON body

# Text a person types never holds control characters (tab, line feed and carriage return apart); PostgreSQL
# refuses NUL outright, and the rest print as garbage. Past MAX_TEXT characters it is a paste gone wrong.
# Both are refused whole, never cut: the domain's own limits (a reason's 200 characters) then refuse shorter.
MAX_TEXT = 2000
_CONTROL_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")


def _check_text(name: str, value: object) -> None:
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError(f"`{name}` holds a control character")
        if len(value) > MAX_TEXT:
            raise ValueError(f"`{name}` is longer than {MAX_TEXT} characters")
    elif isinstance(value, (list, tuple)):
        for each in value:
            _check_text(name, each)


class Form(msgspec.Struct):
    """A form's fields (a URL-encoded body), text checked as above; other fields (its CSRF token) are not read."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            _check_text(name, getattr(self, name))


class In(Form, forbid_unknown_fields=True):
    """A JSON body: unknown fields refused, and text checked as above (Litestar answers 400 with the reason)."""


# A code, a number or words typed or scanned into a path or a query (?q=): the same rule, and shorter.
MAX_QUERY_TEXT = 200
Text = Annotated[str, Parameter(max_length=MAX_QUERY_TEXT, pattern=f"^[^{_CONTROL_CHARS}]*$")]


def is_text(value: str) -> bool:
    """Whether Litestar lets `value` through as Text (for a route's answer given past its handler, web/api.py)."""
    return len(value) <= MAX_QUERY_TEXT and _CONTROL.search(value) is None


# A JSON body as Litestar would read it, but a number with a fraction or an exponent (1.0, 1e3) stays a Decimal,
# so it is refused where a whole number is meant instead of being rounded into one; and a body nested past what
# the decoder can follow (msgspec raises RecursionError, which Litestar does not catch) is malformed, not a 500.
_JSON = msgspec.json.Decoder(float_hook=Decimal)


class ShopRequest(Request):
    """The app's request class (create_app's request_class): its JSON body is read as above."""

    async def json(self) -> Any:
        try:
            return _JSON.decode(await self.body() or b"null")
        except msgspec.DecodeError as error:
            raise ValidationException(f"the body is not JSON: {error}") from None
        except RecursionError:
            raise ValidationException("the body's JSON is nested too deep") from None


def form_whole(text: str) -> int:
    """A whole number typed in a form's field (at most 9 digits), or -1: what the domain then refuses in words."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else -1


def form_date(text: str) -> date | None:
    """A date typed in a form's field (YYYY-MM-DD), or None when empty or not a date."""
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
