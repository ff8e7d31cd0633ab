"""The PIN policy for library cards.

A PIN is 6 to 8 digits, and not one that people pick first: repeated digits (`111111`,
`112211`), runs and steps (`123456`, `654321`, `135791`, wrapping round: `890123`), a
repeated or mirrored block (`123123`, `123321`), a calendar date (`010190`, `19900101`) or
one of the PINs most often chosen (`147258`, keypad lines and the like). With the card's
lockout (5 failures, then a day: see `accounts.lockout`) guessing a PIN is hopeless; the
refused ones are those a guesser would try first.

Each refusal has its own reason code (`PinErrorCode`), with a message in French and English.
"""

from __future__ import annotations

import datetime
import itertools
import re
import secrets

from django.db import models
from django.utils.translation import gettext as _

from backend.errors import ApplicationError

PIN_MIN_LENGTH = 6
PIN_MAX_LENGTH = 8
_DIGITS = re.compile(r"^[0-9]+$")

#: Frequent PINs that the rules below do not catch: keypad lines and crosses (on a phone
#: keypad 1-2-3 is the top row), famous numbers, number words.
COMMON_PINS = frozenset(
    {
        "147258",
        "258369",
        "369258",
        "741852",
        "852963",
        "963852",
        "789456",
        "456123",
        "321654",
        "159753",
        "159357",
        "357159",
        "753951",
        "147369",
        "123654",
        "852456",
        "258456",
        "456852",
        "100200",
        "102030",
        "110120",
        "112358",
        "314159",
        "271828",
        "520520",
        "520131",
        "201314",
        "5201314",
        "1472583",
        "14725836",
        "12345679",
        "1234567",
        "7654321",
        "12345678",
        "87654321",
    }
)


class PinErrorCode(models.TextChoices):
    INVALID = "invalid_pin"
    REPEATED_DIGITS = "pin_repeated_digits"
    SEQUENCE = "pin_sequence"
    REPEATED_BLOCK = "pin_repeated_block"
    DATE = "pin_date"
    COMMON = "pin_common"


def pin_refusal(pin: str) -> str | None:
    """The reason code for refusing this PIN, or None when it is acceptable."""
    if not (PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH and _DIGITS.match(pin)):
        return PinErrorCode.INVALID
    if len(set(pin)) < 3:
        return PinErrorCode.REPEATED_DIGITS
    if _is_progression(pin):
        return PinErrorCode.SEQUENCE
    if _is_repeated_block(pin) or pin == pin[::-1]:
        return PinErrorCode.REPEATED_BLOCK
    if _is_date(pin):
        return PinErrorCode.DATE
    if pin in COMMON_PINS:
        return PinErrorCode.COMMON
    return None


def pin_check(pin: str) -> None:
    """Refuse a PIN the policy does not accept: 400 with its reason code, on the `pin`
    field."""
    code = pin_refusal(pin)
    if code is not None:
        raise ApplicationError(code, _message(code), field="pin")


def _message(code: str) -> str:
    return {
        PinErrorCode.INVALID: _("The PIN must be 6 to 8 digits."),
        PinErrorCode.REPEATED_DIGITS: _("The PIN must use at least three different digits."),
        PinErrorCode.SEQUENCE: _("The PIN must not be a run of digits such as 123456 or 654321."),
        PinErrorCode.REPEATED_BLOCK: _(
            "The PIN must not repeat or mirror a group of digits, such as 123123 or 123321."
        ),
        PinErrorCode.DATE: _("The PIN must not be a date, such as a birth date."),
        PinErrorCode.COMMON: _("This PIN is among the most often chosen: pick another one."),
    }[code]


def _is_progression(pin: str) -> bool:
    """Each digit is the previous one plus the same step, modulo 10 (123456, 975319)."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return len(steps) == 1


def _is_repeated_block(pin: str) -> bool:
    return any(
        len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size)
        for size in range(1, len(pin) // 2 + 1)
    )


def _is_date(pin: str) -> bool:
    """DDMMYY, MMDDYY or YYMMDD in 6 digits; DDMMYYYY, MMDDYYYY or YYYYMMDD in 8 (years
    1900-2099)."""
    if len(pin) == 6:
        layouts = [(pin[0:2], pin[2:4], pin[4:6]), (pin[2:4], pin[0:2], pin[4:6])]
        layouts.append((pin[4:6], pin[2:4], pin[0:2]))
        return any(
            _valid(day, month, "20" + yy) or _valid(day, month, "19" + yy)
            for day, month, yy in layouts
        )
    if len(pin) == 8:
        layouts = [
            (pin[0:2], pin[2:4], pin[4:8]),
            (pin[2:4], pin[0:2], pin[4:8]),
            (pin[6:8], pin[4:6], pin[0:4]),
        ]
        return any(_valid(day, month, year) for day, month, year in layouts)
    return False


def _valid(day: str, month: str, year: str) -> bool:
    if not 1900 <= int(year) <= 2099:
        return False
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def pin_generate(length: int = PIN_MIN_LENGTH) -> str:
    """A random PIN the policy accepts (drawn again until one is), for a library to hand
    to a patron."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(length))
        if pin_refusal(pin) is None:
            return pin
