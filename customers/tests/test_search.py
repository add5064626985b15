"""Search by account number, customer number, phone in any format, name and address fragment."""

import pytest

from customers.search import classify, search_households


@pytest.fixture
def town(city):
    hong = city.account(
        city.premise(road="세종대로", number=175, unit="101동 1203호", building_name="래미안"),
        name="홍길동",
        phone="010-1234-5678",
        phone_alt="02-765-4321",
    )
    kim = city.account(city.premise(road="율곡로", number=10), name="김철수", phone="010-2222-3333")
    vacant = city.premise(road="자하문로", number=5)
    return hong, kim, vacant


@pytest.mark.parametrize(
    "query",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "+82 10-1234-5678",
        "+821012345678",
        "02-765-4321",
        "027654321",
    ],
)
def test_phone_in_any_format(town, query):
    hong, _, _ = town
    hits = search_households(query)
    assert [h.account for h in hits] == [hong] and hits[0].matched_by == "phone"


def test_account_number_with_or_without_dash(town):
    hong, _, _ = town
    assert [h.account for h in search_households(hong.number)] == [hong]
    assert [h.account for h in search_households(hong.display_number)] == [hong]


def test_customer_number(town):
    _, kim, _ = town
    assert [h.account for h in search_households(kim.customer.number)] == [kim]
    assert [h.account for h in search_households(kim.customer.number.lower())] == [kim]


def test_name_exact_and_prefix(town):
    hong, kim, _ = town
    assert [h.account for h in search_households("홍길동")] == [hong]
    assert [h.account for h in search_households("김철")] == [kim]


def test_address_fragments_all_words_must_match(town):
    hong, kim, vacant = town
    assert [h.premise for h in search_households("세종대로 175")] == [hong.premise]
    assert [h.premise for h in search_households("래미안")] == [hong.premise]
    assert [h.premise for h in search_households("1203호")] == [hong.premise]
    hits = search_households("자하문로")
    assert [h.premise for h in hits] == [vacant] and hits[0].account is None
    assert search_households("세종대로 999") == []


def test_closed_accounts_come_after_open_ones(city):
    import datetime as dt

    from customers import actions

    old = city.account(name="박민수", phone="010-7777-8888", on=dt.date(2020, 1, 1))
    actions.stop_service(old, on=dt.date(2024, 1, 1), final_reading=30, acting_user=None)
    new = city.account(name="박민수", phone="010-7777-8888", on=dt.date(2024, 2, 1))
    hits = search_households("010-7777-8888")
    assert [h.account for h in hits] == [new, old]


def test_empty_and_classification():
    assert search_households("   ") == []
    assert classify("100000001-7") == "account"
    assert classify("C100000017") == "customer"
    assert classify("010-1234-5678") == "phone"
    assert classify("세종대로") == "text"


def test_latin_names_in_any_case(city):
    smith = city.account(name="John Smith", phone="010-3333-4444", preferred_language="en")
    assert [h.account for h in search_households("john")] == [smith]
    assert [h.account for h in search_households("JOHN SM")] == [smith]
