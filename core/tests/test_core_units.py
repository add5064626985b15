"""Masking, phone numbers, money, check digits, settings helpers."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from core.money import format_won
from core.phones import format_phone, normalize_phone, phone_query
from core.pii import mask_address, mask_email, mask_name, mask_phone
from core.sequences import is_valid_check_digit, luhn_check_digit, with_check_digit
from suido import env


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("홍길동", "홍*동"),
        ("남궁민수", "남**수"),
        ("홍길", "홍*"),
        ("김", "김"),
        ("John Smith", "J**n S***h"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("02-123-4567", "02-***-4567"),
        ("+1 202-555-0100", "+1 ***-***-0100"),
        ("01012345678", "*******5678"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_a_stored_number_is_shown_formatted_and_masked():
    from core.pii import masked_phone

    assert masked_phone("+821012345678") == "010-****-5678"
    assert masked_phone("") == ""


def test_mask_email_and_address():
    assert mask_email("hong.gildong@example.com") == "ho**********@example.com"
    assert mask_email("ab@x.kr") == "a*@x.kr"
    assert (
        mask_address("서울특별시 종로구 세종대로 175 101동 1203호")
        == "서울특별시 종로구 세종대로 *** **** *****"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "+82 10 1234 5678",
        "+82-10-1234-5678",
        "(010) 1234-5678",
    ],
)
def test_mobile_numbers_in_any_format_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+821012345678"


def test_landlines_and_display():
    assert normalize_phone("02-123-4567") == "+8221234567"
    assert format_phone("+8221234567") == "02-123-4567"
    assert format_phone("+821012345678") == "010-1234-5678"
    assert format_phone("+12025550100") == "+1 202-555-0100"


@pytest.mark.parametrize("raw", ["12", "010-1234", "hello", "", "010-1234-56789"])
def test_invalid_phone_numbers_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert "not a valid phone number" in info.value.messages[0]
    assert phone_query(raw) is None


def test_money_is_integer_won():
    from django.utils import translation

    assert format_won(12340) == "₩12,340"
    assert format_won(-500) == "-₩500"
    with translation.override("ko"):
        assert format_won(12340) == "12,340원"
    with pytest.raises(TypeError):
        format_won(12.5)


def test_check_digits_catch_typos():
    number = with_check_digit(100000001, 9)
    assert len(number) == 10 and is_valid_check_digit(number)
    assert luhn_check_digit("7992739871") == 3  # the textbook example
    typo = number[:3] + str((int(number[3]) + 1) % 10) + number[4:]
    swapped = number[0] + number[2] + number[1] + number[3:]
    assert not is_valid_check_digit(typo)
    assert number == swapped or not is_valid_check_digit(swapped)


def test_env_helpers_fail_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env.env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 1)
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env.env_str("X_REQUIRED")
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_LIST", "a.example, b.example ,")
    assert env.env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_BOOL", "Yes")
    assert env.env_bool("X_BOOL", False) is True


def _luhn_by_the_book(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def test_table_driven_luhn_matches_the_definition():
    import random

    rng = random.Random(5)
    for _ in range(20_000):
        digits = str(rng.randrange(10 ** rng.randint(1, 15))).zfill(rng.randint(1, 16))
        assert luhn_check_digit(digits) == _luhn_by_the_book(digits), digits
