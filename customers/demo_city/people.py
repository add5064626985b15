"""Synthetic customers: Korean names, E.164 phones, e-mail, organisations.

Everything is drawn from one seeded ``random.Random`` so a seed gives the same
people. Hot paths index precomputed tables with ``int(random() * n)`` instead of
``random.choices``: a million customers make per-call overhead matter.
"""

from __future__ import annotations

import random
import re

# Surname shares in 0.01 % (2015 census, rounded); the long tail is folded into the last rows.
# fmt: off
SURNAMES = [
    ("김", "kim", 2150), ("이", "lee", 1470), ("박", "park", 840), ("최", "choi", 470), ("정", "jung", 430),
    ("강", "kang", 240), ("조", "cho", 210), ("윤", "yoon", 200), ("장", "jang", 200), ("임", "lim", 170),
    ("한", "han", 150), ("오", "oh", 150), ("서", "seo", 150), ("신", "shin", 150), ("권", "kwon", 140),
    ("황", "hwang", 140), ("안", "ahn", 140), ("송", "song", 130), ("전", "jeon", 130), ("홍", "hong", 110),
    ("유", "yoo", 190), ("고", "ko", 90), ("문", "moon", 90), ("양", "yang", 90), ("손", "son", 90),
    ("배", "bae", 80), ("백", "baek", 80), ("허", "heo", 60), ("남", "nam", 50), ("심", "shim", 50),
    ("노", "noh", 40), ("하", "ha", 40), ("곽", "kwak", 40), ("성", "sung", 40), ("차", "cha", 40),
    ("주", "joo", 40), ("우", "woo", 40), ("구", "koo", 40), ("민", "min", 30), ("류", "ryu", 30),
    ("나", "na", 30), ("진", "jin", 30), ("지", "ji", 30), ("엄", "eom", 30), ("채", "chae", 20),
    ("원", "won", 20), ("천", "cheon", 20), ("방", "bang", 20), ("공", "kong", 20), ("현", "hyun", 20),
    ("함", "ham", 20), ("변", "byun", 20), ("염", "yeom", 10), ("여", "yeo", 10), ("추", "choo", 10),
    ("도", "do", 10), ("소", "so", 10), ("석", "seok", 10), ("선", "sun", 10), ("설", "seol", 10),
    ("마", "ma", 10), ("길", "gil", 10), ("연", "yeon", 10), ("위", "wi", 10), ("표", "pyo", 10),
    ("명", "myung", 10), ("기", "ki", 10), ("반", "ban", 10), ("왕", "wang", 10), ("금", "keum", 10),
    ("옥", "ok", 10), ("육", "yook", 10), ("인", "in", 10), ("맹", "maeng", 5), ("제", "je", 5),
    ("남궁", "namgung", 5), ("황보", "hwangbo", 3), ("제갈", "jegal", 2), ("선우", "sunwoo", 2), ("독고", "dokgo", 1),
]

# Common two-syllable given names across generations (born 1940s–2000s), with a romanisation for e-mail.
GIVEN = """
민준 minjun 서준 seojun 도윤 doyun 예준 yejun 시우 siwoo 하준 hajun 주원 juwon 지호 jiho 지후 jihoo
준서 junseo 준우 junwoo 현우 hyunwoo 도현 dohyun 지훈 jihoon 건우 gunwoo 우진 woojin 민재 minjae
현준 hyunjun 정우 jungwoo 승우 seungwoo 승현 seunghyun 준혁 junhyuk 지환 jihwan 승민 seungmin
민성 minsung 준영 junyoung 진우 jinwoo 동현 donghyun 재현 jaehyun 민우 minwoo 영수 youngsoo
영호 youngho 영식 youngsik 정수 jungsoo 성수 sungsoo 영철 youngchul 상철 sangchul 정호 jungho
성호 sungho 성진 sungjin 동훈 donghoon 상훈 sanghoon 성민 sungmin 준호 junho 재훈 jaehoon
종현 jonghyun 성현 sunghyun 민수 minsoo 정훈 junghoon 광수 kwangsoo 병철 byungchul 재석 jaeseok
태호 taeho 상우 sangwoo 진호 jinho 경호 kyungho 기현 kihyun 용준 yongjun 창민 changmin 대현 daehyun
서연 seoyeon 서윤 seoyoon 지우 jiwoo 서현 seohyun 민서 minseo 하은 haeun 하윤 hayoon 윤서 yoonseo
지유 jiyoo 지민 jimin 채원 chaewon 지윤 jiyoon 은서 eunseo 수아 sua 다은 daeun 예은 yeeun
수빈 soobin 지아 jia 소윤 soyoon 예린 yerin 예원 yewon 지원 jiwon 유진 yujin 민지 minji
수진 sujin 지현 jihyun 지영 jiyoung 은영 eunyoung 미영 miyoung 정희 junghee 영희 younghee
순자 soonja 영숙 youngsook 정숙 jungsook 경숙 kyungsook 미숙 misook 현주 hyunju 은정 eunjung
미경 mikyung 혜진 hyejin 선영 sunyoung 정민 jungmin 수정 soojung 은주 eunju 지은 jieun
혜원 hyewon 소영 soyoung 경희 kyunghee 명숙 myungsook 옥순 oksoon 말순 malsoon 춘자 chunja
미정 mijung 은희 eunhee 상희 sanghee 혜숙 hyesook 연희 yeonhee 나연 nayeon 가은 gaeun
"""
GIVEN_NAMES = [tuple(pair) for pair in zip(*[iter(GIVEN.split())] * 2, strict=True)]

FOREIGN_FIRST = ["James", "Michael", "David", "Daniel", "Thomas", "Peter", "Lucas", "Sarah", "Emily", "Laura",
                 "Anna", "Maria", "Olivia", "Sophie", "Linh", "Minh", "Yuki", "Wei"]
FOREIGN_LAST = ["Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Anderson", "Martin", "Garcia",
                "Nguyen", "Tran", "Tanaka", "Wang", "Chen", "Schmidt", "Dubois"]

# Reserved example domains: demo data must never reach a real mailbox.
EMAIL_DOMAINS = ["example.com"] * 5 + ["example.net"] * 3 + ["example.org"] * 2

# Trade-name parts for companies, shops, bathhouses and churches.
PREFIXES = ["한빛", "대한", "동방", "미래", "세진", "태양", "삼우", "우리", "한솔", "대성", "신성", "동양", "새한",
            "금강", "한일", "청솔", "푸른", "하나", "다온", "누리", "정다운", "솔빛", "가람", "은하", "백두"]
COMPANY_SUFFIXES = ["상사", "물산", "식품", "전자", "기계", "정밀", "인쇄", "산업", "건설", "유통", "테크",
                    "약품", "섬유", "화학", "디자인", "엔지니어링", "시스템", "무역"]
SHOP_SUFFIXES = ["식당", "분식", "치킨", "커피", "베이커리", "미용실", "약국", "편의점", "세탁소",
                 "부동산", "안경원", "꽃집", "정육점", "한의원", "치과의원", "내과의원", "학원", "마트"]
BATH_NAMES = ["청수", "한양", "대중", "은하", "옥천", "장수", "평화", "약수", "천일", "동명", "보석", "온정"]
BATH_SUFFIXES = ["목욕탕", "탕", "사우나", "온천사우나", "목욕탕"]
CHURCHES = ["사랑의교회", "은혜교회", "소망교회", "새빛교회", "중앙교회", "제일교회", "한마음교회",
            "성산교회", "온누리교회", "예닮교회"]
APARTMENT_BRANDS = ["래미안", "자이", "힐스테이트", "아이파크", "푸르지오", "e편한세상", "롯데캐슬", "더샵",
                    "SK뷰", "현대", "삼성", "한신", "주공", "벽산", "우성", "쌍용", "대림", "극동"]
VILLA_SUFFIXES = ["빌라", "하이츠", "맨션", "빌", "하우스", "캐슬", "타운"]
OFFICE_SUFFIXES = ["빌딩", "타워", "센터", "프라자"]
# fmt: on


def weighted_table(pairs, size: int = 10_000) -> list:
    """A list where each item appears in proportion to its weight: pick with int(random() * len)."""
    total = sum(weight for _item, weight in pairs)
    table: list = []
    for item, weight in pairs:
        table.extend([item] * max(1, round(size * weight / total)))
    return table


SURNAME_TABLE = weighted_table([((ko, roman), weight) for ko, roman, weight in SURNAMES])


def dong_stem(dong: str) -> str:
    """청운동 → 청운, 을지로1가 → 을지로, 세종로 → 세종로 (for school and centre names)."""
    stem = re.sub(r"\d*가$", "", dong)
    stem = re.sub(r"\d*동$", "", stem)
    return stem or dong


def business_number(rng_random, middle: int) -> str:
    """123-45-67890 with the National Tax Service check digit, so it passes real validators."""
    head = 101 + int(rng_random() * 799)
    serial = int(rng_random() * 10_000)
    digits = [int(c) for c in f"{head:03d}{middle:02d}{serial:04d}"]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(digits, weights, strict=True)) + digits[8] * 5 // 10
    check = (10 - total % 10) % 10
    return f"{head:03d}-{middle:02d}-{serial:04d}{check}"


class People:
    """Draws customers. Each method returns the Customer columns after ``number``:
    (kind, name, business_number, phone, phone_alt, email, mailing_address,
    preferred_language, consent_sms, consent_email)."""

    def __init__(self, rng: random.Random, mailing_addresses: list[str]):
        self.random = rng.random
        self.mailing_addresses = mailing_addresses
        self.email_serial = 0

    # -- phones ------------------------------------------------------------------------------
    def mobile(self) -> str:
        # 010-XXXX-XXXX; the middle group starts with 2–9 (010-0/1 are not assigned), and
        # libphonenumber also treats 010-597X … 010-599X as unassigned, so those move down a little.
        number = 20_000_000 + int(self.random() * 80_000_000)
        if 59_700_000 <= number < 60_000_000:
            number -= 500_000
        return f"+8210{number}"

    def landline(self) -> str:
        # Seoul: 02-XXX-XXXX or 02-XXXX-XXXX, the exchange starting with 2–9.
        if self.random() < 0.7:
            return f"+822{20_000_000 + int(self.random() * 80_000_000)}"
        return f"+822{2_000_000 + int(self.random() * 8_000_000)}"

    def email(self, roman: str) -> str:
        r = self.random
        self.email_serial += 1
        # The serial keeps addresses unique, which real customers' addresses are.
        return f"{roman}{self.email_serial}@{EMAIL_DOMAINS[int(r() * 10)]}"

    # -- people ------------------------------------------------------------------------------
    def person_name(self, surname: tuple[str, str] | None = None) -> tuple[str, str]:
        r = self.random
        family = surname or SURNAME_TABLE[int(r() * len(SURNAME_TABLE))]
        given, given_roman = GIVEN_NAMES[int(r() * len(GIVEN_NAMES))]
        return family[0] + given, f"{given_roman}.{family[1]}"

    def surname_of(self, name: str) -> tuple[str, str] | None:
        for ko, roman, _weight in SURNAMES:
            if len(ko) == 2 and name.startswith(ko):
                return ko, roman
        for ko, roman, _weight in SURNAMES:
            if name.startswith(ko):
                return ko, roman
        return None

    def person(self, family_of: str | None = None) -> tuple:
        """A private customer; ``family_of`` gives a relative's name (same surname, half the time)."""
        r = self.random
        surname = self.surname_of(family_of) if family_of and r() < 0.5 else None
        language = "ko"
        if r() < 0.012:
            language = "en"
            if r() < 0.6:
                first, last = (
                    FOREIGN_FIRST[int(r() * len(FOREIGN_FIRST))],
                    FOREIGN_LAST[int(r() * len(FOREIGN_LAST))],
                )
                name, roman = f"{first} {last}", f"{first.lower()}.{last.lower()}"
            else:
                name, roman = self.person_name(surname)
        else:
            name, roman = self.person_name(surname)
        mobile = r() < 0.92
        phone = self.mobile() if mobile else self.landline()
        phone_alt = self.landline() if mobile and r() < 0.2 else ""
        email = self.email(roman) if r() < 0.4 else ""
        consent_sms = mobile and r() < 0.55
        consent_email = bool(email) and r() < 0.65
        mailing = self.mailing_addresses[int(r() * len(self.mailing_addresses))] if r() < 0.03 else ""
        return ("person", name, "", phone, phone_alt, email, mailing, language, consent_sms, consent_email)

    # -- organisations -----------------------------------------------------------------------
    def organisation(self, name: str, middle: int | None = None, roman: str = "office") -> tuple:
        r = self.random
        if middle is None:
            middle = (81, 86, 87, 88)[int(r() * 4)]
        phone = self.landline()
        phone_alt = self.mobile() if r() < 0.3 else ""
        email = self.email(roman) if r() < 0.5 else ""
        consent_email = bool(email) and r() < 0.7
        consent_sms = bool(phone_alt) and r() < 0.5
        return (
            "organisation",
            name,
            business_number(r, middle),
            phone,
            phone_alt,
            email,
            "",
            "ko",
            consent_sms,
            consent_email,
        )

    def company_name(self) -> str:
        r = self.random
        base = PREFIXES[int(r() * len(PREFIXES))] + COMPANY_SUFFIXES[int(r() * len(COMPANY_SUFFIXES))]
        form = r()
        if form < 0.5:
            return f"(주){base}"
        if form < 0.7:
            return f"{base}(주)"
        if form < 0.8:
            return f"주식회사 {base}"
        return base

    def shop_name(self) -> str:
        r = self.random
        return PREFIXES[int(r() * len(PREFIXES))] + SHOP_SUFFIXES[int(r() * len(SHOP_SUFFIXES))]

    def bathhouse_name(self) -> str:
        r = self.random
        return BATH_NAMES[int(r() * len(BATH_NAMES))] + BATH_SUFFIXES[int(r() * len(BATH_SUFFIXES))]

    def church_name(self) -> str:
        return CHURCHES[int(self.random() * len(CHURCHES))]
