"""Demo data for the service desk: field crews and a few years of requests in the demo city.

Called by ``load_demo_city`` after the city is loaded. The volumes follow Seoul's 2017
figures (DESIGN.md §2) scaled to the city: about 0.5 requests per premise per year,
the type mix of the customer-support system with its March-April moving season, the
channel mix of 2015-2017, compound complaints sharing one visit, 96.3 % satisfied
Happy Calls and a revisit for every unsatisfied answer.

Each office gets four field crews (every skill covered twice) and two desk clerks,
the demo logins among them. Due times come from the business calendar
(``core.calendar``), exactly as at intake.

Everything is decided in Python from seeded generators and written set-based: ids and
numbers are reserved in blocks, rows are built as tuples and inserted table by table
(``core.bulk``: COPY on PostgreSQL, with indexes and foreign keys set aside as for the
city). Nothing is saved row by row: 100,000 premises (about 156,000 requests with
their visits, steps and surveys) take well under a minute.

The last days are left open as a working office would have them: fresh requests
nobody has taken yet, assigned ones, visits arranged for the coming days (some for the
demo login "crew"), a few overdue and a couple waiting for the citizen.
"""

from __future__ import annotations

import bisect
import json
import random
import time as _time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, combinations, islice

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from core import dates
from core.bulk import insert_rows, reserve_ids
from core.calendar import BUSINESS_DAYS, CLOCK_HOURS, business_calendar
from core.models import AuditEvent, Notification, NumberSequence
from core.sequences import take_numbers
from customers.choices import OPEN_STATUSES
from customers.demo_city.people import GIVEN_NAMES, SURNAMES
from customers.demo_city.pgload import deferred_indexes
from customers.models import Account, Premise
from staff.models import BranchOffice, Skill, User
from staff.roles import Role

from .choices import (
    AnsweredVia,
    Channel,
    LinkKind,
    Origin,
    RequestStatus,
    SurveyStatus,
    TypeGroup,
    UpdateKind,
    VisitStatus,
)
from .models import RequestType, RequestUpdate, ServiceRequest, Survey, Visit, VisitPhoto, new_token
from .numbers import REQUEST_SEQUENCE, VISIT_SEQUENCE, format_request_number, format_visit_number

# Requests per premise and year: 494,382 requests for about a million premises (bills) in Seoul.
REQUESTS_PER_PREMISE_YEAR = 0.5

# Seoul 2017, requests per year by type. The source's "other administrative" (41,530) is spread
# over the desk's own types; emergency leak reports (taken day and night) come on top.
# fmt: off
TYPE_VOLUMES = {
    "leak_diagnosis": 34_482, "supply_inconvenience": 16_327, "supply_works": 14_083,
    "meter_replacement": 5_227, "water_quality": 4_882, "indoor_piping": 18_407, "works_other": 340,
    "name_change": 132_894, "auto_payment": 157_322, "leak_reduction": 35_816, "household_split": 5_122,
    "supply_facilities": 27_950,
    # other administrative, 41,530:
    "enquiry": 16_000, "move": 12_000, "complaint": 6_500, "other": 5_530, "staff_complaint": 1_500,
    "emergency_leak": 1_200,
}

# Channels 2015-2017: phone 90.7 %, visit 3.2 %, fax 2.5 %, mail 0.1 %, other 3.5 % (web and e-mail).
CHANNEL_SHARES = [
    (Channel.PHONE, 907), (Channel.VISIT, 32), (Channel.FAX, 25), (Channel.MAIL, 1),
    (Channel.WEB, 20), (Channel.EMAIL, 15),
]
PROACTIVE_LEAK_SHARE = 0.03  # leak diagnoses started by the utility after a jump in usage

# Month factors (January first). The March-April moving season drives the billing side.
SEASONS = {
    "moving": [0.95, 1.0, 1.55, 1.4, 1.0, 0.9, 0.85, 0.9, 1.05, 0.95, 0.85, 0.9],
    "winter": [2.1, 1.5, 1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 1.0, 1.5],  # frozen meters and pipes
    "summer": [0.8, 0.8, 1.0, 1.0, 1.1, 1.2, 1.4, 1.4, 1.1, 0.9, 0.8, 0.8],  # discoloured water, quality
    "default": [0.95, 0.95, 1.2, 1.15, 1.0, 0.95, 0.95, 0.95, 1.0, 1.0, 0.95, 0.95],
}
TYPE_SEASON = {
    "name_change": "moving", "auto_payment": "moving", "move": "moving", "household_split": "moving",
    "meter_replacement": "winter", "emergency_leak": "winter",
    "water_quality": "summer", "supply_inconvenience": "summer",
}

# Hours of the day requests arrive, by channel family (weights per hour 0..23).
PHONE_HOURS = [0] * 8 + [3, 10, 14, 13, 7, 10, 13, 12, 11, 8, 3, 2, 1, 0, 0, 0]
DESK_HOURS = [0] * 9 + [8, 10, 10, 5, 9, 10, 10, 8, 6] + [0] * 6
ONLINE_HOURS = [1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 5, 5, 6, 7, 7, 5, 3]
ANY_HOUR = [2, 2, 2, 2, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 3, 3]

# The last days are left open; at least this many requests per office arrive in them, so even a
# small demo city has a queue to show.
RECENT_DAYS = 10
RECENT_PER_OFFICE = 6
# At least this many of each open situation, city-wide, for the consoles to show.
MINIMUM_OPEN = {"received": 3, "scheduled": 3, "overdue": 2, "waiting": 2}

ON_TIME_SHARE = 0.93
CANCELLED_SHARE = 0.01
COMPOUND_SHARE = 0.08  # a second problem of the same household goes on the same visit
FOUND_ON_SITE_SHARE = 0.02
SURVEY_SHARE = 0.70
SATISFIED_SHARE = 0.963  # Seoul 2017
UNREACHABLE_SHARE = 0.12

# Field crews: four per office whose specialties cover every skill at least twice.
CREW_SKILLS = [
    ("leak", "meter", "plumbing"),
    ("leak", "plumbing", "quality"),
    ("meter", "quality", "works"),
    ("leak", "plumbing", "works"),
]
DEMO_CREW_SKILLS = ("leak", "plumbing")  # the demo login "crew"
DESK_CLERKS = 2  # per office, counting the demo login "clerk" at office 01
DEMO_CREW_JOBS = 3  # visits arranged for the demo login "crew" in the coming days

# What citizens say, per type; {…} are filled from the request's details.
DESCRIPTIONS = {
    "emergency_leak": [
        "{where}에서 물이 솟구치고 있습니다. 도로로 물이 넘쳐흐릅니다.",
        "{where} 부근 수도관이 터진 것 같습니다. 긴급 조치 바랍니다.",
        "{where}에서 물이 계속 새어 나와 바닥이 얼고 있습니다.",
    ],
    "supply_inconvenience:no_water": [
        "아침부터 물이 전혀 나오지 않습니다.",
        "수돗물이 갑자기 끊겼습니다. 단수 안내를 받은 적이 없습니다.",
    ],
    "supply_inconvenience:low_pressure": [
        "수압이 너무 약해서 샤워를 할 수 없습니다.",
        "2층부터 물이 졸졸 나옵니다. 수압 점검 부탁드립니다.",
    ],
    "supply_inconvenience:discoloured": [
        "수돗물에서 붉은 녹물이 나옵니다.",
        "물이 뿌옇고 이상한 냄새가 납니다.",
    ],
    "leak_diagnosis": [
        "이번 달 수도요금이 평소보다 두 배 넘게 나왔습니다. 누수가 의심됩니다.",
        "물을 쓰지 않는데도 계량기 별침이 계속 돌아갑니다.",
        "{where} 바닥이 늘 젖어 있습니다. 누수 탐지를 요청합니다.",
    ],
    "leak_diagnosis:proactive": [
        "검침 결과 사용량이 전월 대비 {jump}배로 늘었습니다. 누수 여부를 먼저 점검합니다.",
        "사용량 급증(전월 대비 {jump}배) 세대 사전 누수 점검 대상입니다.",
    ],
    "water_quality": [
        "수돗물 수질 검사를 받고 싶습니다.",
        "아기 분유를 타도 되는지 수질 검사를 요청합니다.",
        "물에서 소독약 냄새가 심합니다. 검사 부탁드립니다.",
    ],
    "meter_replacement": [
        "계량기가 얼어 터졌습니다.",
        "계량기 유리가 깨져 숫자가 보이지 않습니다.",
        "계량기가 돌지 않는 것 같습니다. 교체를 요청합니다.",
        "계량기 교체 주기가 되었다는 안내를 받았습니다.",
    ],
    "indoor_piping": [
        "오래된 주택이라 옥내 배관 상태를 진단받고 싶습니다.",
        "벽 속 배관에서 물 흐르는 소리가 납니다.",
        "녹슨 배관을 교체해야 하는지 진단을 요청합니다.",
    ],
    "supply_works:new": ["신축 건물 급수 신설 공사를 신청합니다.", "상가 신축에 따른 급수 신설 신청입니다."],
    "supply_works:change": ["급수관 구경 변경(개조) 공사를 신청합니다.", "리모델링으로 급수관 개조를 신청합니다."],
    "supply_works:remove": ["건물 철거로 급수 철거를 신청합니다."],
    "works_other": [
        "수도 공사 후 도로 포장이 제대로 복구되지 않았습니다.",
        "집 앞 소화전 주변 보도 복구를 요청합니다.",
        "급수관 이설에 대해 상담받고 싶습니다.",
    ],
    "name_change": [
        "집을 매매하여 수도 사용자 명의를 변경하고 싶습니다.",
        "새로 이사 와서 명의 변경을 신청합니다.",
        "상속으로 명의 변경을 신청합니다.",
    ],
    "auto_payment": [  # (what was asked, what was done) where the answer depends on the question
        ("{bank} 계좌로 자동 납부를 신청합니다.", "자동 납부를 등록했습니다. 다음 달 고지분부터 출금됩니다."),
        ("자동 납부 계좌를 {bank} 계좌로 바꾸고 싶습니다.", "출금 계좌를 변경했습니다. 다음 달 고지분부터 적용됩니다."),
        ("자동 납부를 해지해 주세요.", "자동 납부를 해지했습니다. 다음 고지서부터 직접 납부해 주세요."),
    ],
    "leak_reduction": [
        "{repaired_on}에 옥내 누수를 수리했습니다. 요금 감면을 신청합니다.",
        "화장실 배관 누수를 {repaired_on}에 고쳤습니다. 수리 영수증을 보내 감면을 신청합니다.",
    ],
    "household_split": [
        "한 건물에 {households}세대가 살고 있어 세대 분할을 신청합니다.",
        "다가구 주택({households}세대) 세대 분할로 요금 조정을 요청합니다.",
    ],
    "supply_facilities": [
        "급수 설비(저수조) 신고서를 제출합니다.",
        "옥상 물탱크 철거를 신고합니다.",
        "가압 펌프 설치를 신고합니다.",
    ],
    "move": [
        "이사 나가는 날 수도요금 정산을 요청합니다.",
        "이번 주말 이사합니다. 정산 요금을 알려 주세요.",
        "전입에 따라 사용 시작 지침 확인과 정산을 요청합니다.",
    ],
    "enquiry": [
        "수도요금 고지서 내용이 궁금합니다.",
        "요금 납부 방법을 알고 싶습니다.",
        "우리 동네 단수 예정 일정을 문의합니다.",
        "상하수도 요금 단가를 문의합니다.",
    ],
    "complaint": [
        "요금이 과다하게 나왔습니다. 재산정을 요청합니다.",
        "공사 소음과 먼지 때문에 생활이 어렵습니다.",
        "같은 문제로 여러 번 연락했는데 해결되지 않습니다.",
    ],
    "staff_complaint": [
        "{when}에 통화한 직원이 불친절했습니다.",
        "방문한 직원이 아무 설명 없이 작업하고 갔습니다.",
    ],
    "other": [
        "고지서 받는 주소를 바꾸고 싶습니다.",
        "건물 외벽 수도관 보온 방법을 문의합니다.",
        "수도 관련 기타 요청입니다.",
    ],
}
RESOLUTIONS = {
    "emergency_leak": ["긴급 출동하여 밸브를 잠그고 파손된 관을 교체했습니다.", "누수 지점을 굴착하여 보수하고 도로를 임시 복구했습니다."],
    "supply_inconvenience": ["계량기 전 밸브와 감압 밸브를 점검하여 출수를 정상화했습니다.", "관 세척(플러싱) 후 정상 출수와 수질을 확인했습니다."],
    "leak_diagnosis": [
        "옥내 누수를 확인했습니다(화장실 배관). 수리 방법과 요금 감면 신청을 안내했습니다.",
        "누수는 없었습니다. 사용량 증가는 사용 습관 때문으로 보여 절수 방법을 안내했습니다.",
        "계량기 뒤 급수관 누수를 찾아 보수했습니다.",
    ],
    "water_quality": ["채수하여 검사한 결과 먹는물 수질 기준에 적합합니다. 결과서를 보내 드렸습니다.", "잔류염소와 탁도를 현장에서 측정했고 기준에 적합합니다."],
    "meter_replacement": ["계량기를 교체하고 보온재를 채웠습니다.", "동파된 계량기를 교체했습니다. 교체 전후 지침을 고지서에 반영합니다."],
    "indoor_piping": ["옥내 배관을 진단했습니다. 노후 배관 교체를 권고하고 교체 지원사업을 안내했습니다.", "배관 상태는 양호합니다. 진단 결과서를 보내 드렸습니다."],
    "supply_works": ["급수공사를 시공하고 준공 검사를 마쳤습니다.", "공사를 마치고 계량기를 설치했습니다."],
    "works_other": ["현장을 확인하고 조치를 마쳤습니다.", "도로 복구를 마쳤습니다."],
    "name_change": ["명의 변경을 처리했습니다. 다음 고지서부터 새 명의로 발송됩니다."],
    "leak_reduction": ["증빙을 확인하여 누수 감면을 승인했습니다. 다음 고지서에 반영됩니다.", "누수 감면을 처리했습니다."],
    "household_split": ["세대 분할을 승인했습니다. 다음 검침분부터 적용됩니다."],
    "supply_facilities": ["신고를 수리했습니다."],
    "move": ["이사 정산을 마치고 정산 요금을 안내했습니다."],
    "enquiry": ["전화로 답변드렸습니다.", "문의하신 내용을 문자로 안내했습니다."],
    "complaint": ["검토 결과를 회신했습니다.", "사실을 확인하여 요금을 재산정했습니다."],
    "staff_complaint": ["해당 직원을 면담하고 교육했습니다. 사과 연락을 드렸습니다."],
    "other": ["요청하신 내용을 처리하고 안내했습니다."],
}
FINDINGS = {
    "emergency_leak": ["도로 아래 급수관 이음부 파손", "계량기함 내 밸브 파손"],
    "supply_inconvenience": ["계량기 전 밸브 일부 잠김", "감압 밸브 고장", "관 내 녹 찌꺼기"],
    "leak_diagnosis": ["화장실 벽체 내 배관 누수", "보일러 배관 누수", "누수 없음"],
    "water_quality": ["잔류염소 0.3 mg/L, 탁도 0.1 NTU", "옥내 저수조 청소 필요"],
    "meter_replacement": ["계량기 동파", "계량기 유리 파손", "교체 주기 도래"],
    "indoor_piping": ["아연도 강관 노후(부식)", "배관 상태 양호"],
    "supply_works": ["시공 조건 확인, 도로 굴착 허가 완료"],
    "works_other": ["현장 확인"],
}
FOUND_TYPES = {  # what a crew finds beyond what was asked
    "leak_diagnosis": ["indoor_piping", "meter_replacement", "leak_reduction"],
    "supply_inconvenience": ["indoor_piping", "water_quality", "meter_replacement"],
    "meter_replacement": ["leak_diagnosis", "indoor_piping"],
}
FOUND_DESCRIPTIONS = {
    "indoor_piping": "현장에서 노후 옥내 배관을 발견했습니다.",
    "meter_replacement": "현장에서 계량기 파손을 발견했습니다.",
    "leak_reduction": "누수 수리를 확인했습니다. 요금 감면을 접수합니다.",
    "water_quality": "현장에서 녹물이 확인되어 수질 검사를 접수합니다.",
    "leak_diagnosis": "현장에서 누수 흔적을 발견했습니다.",
}
FIELD_VALUES = {
    "where": ["집 앞 도로", "골목길 보도블록 아래", "계량기함", "아파트 단지 입구", "화장실", "보일러실", "마당"],
    "sample_point": ["주방 수도꼭지", "세면대", "옥상 물탱크"],
    "bank": ["국민은행", "신한은행", "우리은행", "하나은행", "농협", "기업은행", "우체국"],
}
WAITING_NOTES = {
    TypeGroup.DISPATCH: ["고객님이 방문 날짜를 다시 정하시기로 하여 연락을 기다리고 있습니다.", "건물 관리인의 출입 허가를 기다리고 있습니다."],
    TypeGroup.ADMINISTRATIVE: [
        "구비 서류(가족관계증명서) 제출을 기다리고 있습니다.",
        "누수 수리 영수증 제출을 기다리고 있습니다.",
        "매매 계약서 사본을 기다리고 있습니다.",
    ],
}
DELAY_NOTES = [
    "자재 수급이 늦어져 처리가 늦어지고 있습니다.",
    "현장 여건(도로 굴착 허가)으로 처리가 늦어지고 있습니다.",
    "관계 부서 검토가 필요하여 시간이 더 걸립니다.",
]
UNSATISFIED_COMMENTS = [
    "작업 후에도 같은 문제가 계속됩니다.",
    "약속 시간보다 많이 늦게 왔습니다.",
    "무엇을 했는지 설명이 없었습니다.",
    "처리 결과가 납득되지 않습니다.",
]
PRAISE = ["친절하게 설명해 주셔서 감사합니다.", "빨리 와 주셔서 고맙습니다.", "깔끔하게 처리해 주셨습니다."]
CANCEL_NOTES = ["민원인 요청으로 취소했습니다.", "중복 접수되어 취소했습니다."]
# fmt: on

REQUEST_FIELDS = [
    "id", "number", "type", "channel", "origin", "premise", "account", "customer", "contact_name",
    "contact_phone", "contact_email", "notify_by_sms", "notify_by_email", "description", "details", "office",
    "owner", "status", "visit", "parent", "link_kind", "received_at", "due_at", "paused_at",
    "remaining_seconds", "completed_at", "resolution", "delay_noticed_at", "created_by", "status_token",
    "intake_key",
]  # fmt: skip
VISIT_FIELDS = [
    "id", "number", "premise", "office", "status", "appointment_start", "appointment_end", "appointment_note",
    "started_at", "completed_at", "findings", "work_done", "created_at", "created_by",
]  # fmt: skip
SURVEY_FIELDS = [
    "request", "token", "status", "scheduled_for", "answered_at", "answered_via", "call_attempts",
    "called_by", "satisfied", "courtesy", "punctuality", "explanation", "result", "comment", "revisit",
]  # fmt: skip
UPDATE_FIELDS = ["request", "kind", "at", "note", "actor"]

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


# Flushing


def flush_demo_requests() -> None:
    """Delete every request, visit and survey (and their numbers), so the city under them can go."""
    tables = [Survey, RequestUpdate, VisitPhoto, ServiceRequest, Visit.crew.through, Visit]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(quote(model._meta.db_table) for model in tables)}")
        else:
            request_table = quote(ServiceRequest._meta.db_table)
            parent = quote(ServiceRequest._meta.get_field("parent").column)
            link = quote(ServiceRequest._meta.get_field("link_kind").column)
            cursor.execute(
                f"UPDATE {request_table} SET {parent} = NULL, {link} = '' WHERE {parent} IS NOT NULL"
            )
            for model in tables:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
        # Their audit trail and notices go too: request ids restart on SQLite, and a notice's dedupe key
        # ("sr:<id>:…") left behind would silently swallow the notice of a new request with that id.
        types = list(ContentType.objects.filter(app_label="servicedesk").values_list("pk", flat=True))
        AuditEvent.objects.filter(object_type__in=types).delete()
        Notification.objects.filter(Q(object_type__in=types) | Q(kind__startswith="servicedesk.")).delete()
        NumberSequence.objects.filter(name__in=[REQUEST_SEQUENCE, VISIT_SEQUENCE]).delete()


# Staff


_SURNAME_WEIGHTS = list(accumulate(row[2] for row in SURNAMES))


def _korean_name(rng: random.Random) -> str:
    surname = SURNAMES[bisect.bisect(_SURNAME_WEIGHTS, rng.random() * _SURNAME_WEIGHTS[-1])][0]
    return surname + GIVEN_NAMES[int(rng.random() * len(GIVEN_NAMES))][0]


def _ensure_staff(offices: list[BranchOffice], rng: random.Random) -> int:
    """Four field crews and two desk clerks per office, skipping those already there; returns crews made."""
    skills = {skill.code: skill.pk for skill in Skill.objects.all()}
    groups = {group.name: group.pk for group in Group.objects.filter(name__in=[Role.CREW, Role.CLERK])}
    existing = set(User.objects.values_list("username", flat=True))
    demo_clerk_office = User.objects.filter(username="clerk").values_list("office_id", flat=True).first()
    wanted: list[tuple[User, str, tuple[str, ...]]] = []
    for office in offices:
        for letter, crew_skills in zip("abcd", CREW_SKILLS, strict=True):
            wanted.append(
                (User(username=f"crew{office.code}{letter}", office=office), Role.CREW, crew_skills)
            )
        # The demo login "clerk" is one of its office's two clerks.
        letters = "b" if office.pk == demo_clerk_office else "ab"
        wanted += [
            (User(username=f"clerk{office.code}{letter}", office=office), Role.CLERK, ())
            for letter in letters
        ]
    new = []
    for user, role, crew_skills in wanted:
        name = _korean_name(rng)  # drawn for every user, so names do not shift when some exist
        if user.username in existing:
            continue
        user.full_name = name
        user.set_unusable_password()
        new.append((user, role, crew_skills))
    User.objects.bulk_create([user for user, _role, _skills in new])
    made = dict(User.objects.filter(username__in=[u.username for u, *_ in new]).values_list("username", "pk"))
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=made[user.username], group_id=groups[role])
            for user, role, _skills in new
            if role in groups
        ]
    )
    User.skills.through.objects.bulk_create(
        [
            User.skills.through(user_id=made[user.username], skill_id=skills[code])
            for user, _role, crew_skills in new
            for code in crew_skills
            if code in skills
        ]
    )
    demo_crew = User.objects.filter(username="crew").first()
    if demo_crew is not None:
        demo_crew.skills.add(*[skills[code] for code in DEMO_CREW_SKILLS if code in skills])
    return sum(1 for _user, role, _skills in new if role == Role.CREW)


# Generation


@dataclass(frozen=True, slots=True)
class _Type:
    pk: int
    code: str
    dispatch: bool
    skills: frozenset[str]
    central: bool
    amount: int
    unit: str
    emergency: bool
    form_fields: tuple


@dataclass(slots=True)
class _Visit:
    premise: int
    office: int
    created_at: datetime
    created_by: int | None
    status: str = VisitStatus.PLANNED
    crew: tuple[int, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    note: str = ""
    started: datetime | None = None
    completed: datetime | None = None
    findings: str = ""
    work_done: str = ""
    pk: int = 0
    number: str = ""


@dataclass(slots=True)
class _Request:
    type: _Type
    premise: int | None
    office: int | None
    holder: tuple | None  # (account, customer, name, phone, email)
    channel: str
    origin: str
    received: datetime
    due: datetime
    status: str = RequestStatus.RECEIVED
    late: bool = False
    description: str = ""
    details: dict = field(default_factory=dict)
    contact: tuple[str, str, str] = ("", "", "")
    owner: int | None = None
    created_by: int | None = None
    visit: _Visit | None = None
    parent: _Request | None = None
    link_kind: str = ""
    paused: datetime | None = None
    remaining: int | None = None
    completed: datetime | None = None
    resolution: str = ""
    hint: str = ""  # the resolution that answers this description, where it depends on it
    delay_noticed: datetime | None = None
    steps: list = field(default_factory=list)
    survey: tuple | None = None
    pk: int = 0
    number: str = ""

    def step(self, kind: str, at: datetime, note="", actor: int | None = None) -> datetime:
        """A status-page step; never before the previous one."""
        if self.steps and at < self.steps[-1][1]:
            at = self.steps[-1][1]
        self.steps.append((kind, at, note, actor))
        return at

    @property
    def is_open(self) -> bool:
        return self.status not in (RequestStatus.COMPLETED, RequestStatus.CANCELLED)


class _Generator:
    def __init__(self, seed: int, today: date, now: datetime, years: int):
        self.seed = seed
        self.rng = random.Random(f"{seed}:requests")
        self.cal = business_calendar()
        self.tz = self.cal.tz
        self.today = today
        self.now = now
        self.first_day = today - timedelta(days=round(365.25 * years) - 1)
        self.office_seconds = int(
            (
                datetime.combine(today, self.cal.closes) - datetime.combine(today, self.cal.opens)
            ).total_seconds()
        )
        self.survey_delay = timedelta(minutes=getattr(settings, "HAPPY_CALL_DELAY_MINUTES", 30))
        self.requests: list[_Request] = []
        self.visits: list[_Visit] = []
        self.revisits = 0
        self.found = 0
        self._due_days: dict[tuple[date, int], datetime] = {}
        self._teams: dict[tuple[int, frozenset], tuple[list, list]] = {}
        self._hours = {id(h): list(accumulate(h)) for h in (PHONE_HOURS, DESK_HOURS, ONLINE_HOURS, ANY_HOUR)}
        # Office hours of the span's business days, looked up once: office time is reckoned several
        # times a request.
        day, last = self.first_day - timedelta(days=7), today + timedelta(days=120)
        self._office_hours: dict[date, tuple[datetime, datetime]] = {}
        self._known = (day, last)
        while day <= last:
            if self.cal.is_business_day(day):
                self._office_hours[day] = (
                    datetime.combine(day, self.cal.opens, tzinfo=self.tz),
                    datetime.combine(day, self.cal.closes, tzinfo=self.tz),
                )
            day += DAY
        self._load()

    # Reference data

    def _load(self) -> None:
        self.types = {}
        for kind in RequestType.objects.prefetch_related("skills"):
            self.types[kind.code] = _Type(
                pk=kind.pk,
                code=kind.code,
                dispatch=kind.group == TypeGroup.DISPATCH and kind.needs_visit,
                skills=frozenset(skill.code for skill in kind.skills.all()),
                central=kind.routing == "central",
                amount=kind.standard_amount,
                unit=kind.standard_unit,
                emergency=kind.emergency,
                form_fields=tuple(kind.form_fields or ()),
            )
        self.dispatch_types = [t for t in self.types.values() if t.dispatch and not t.emergency]
        self.premises = list(Premise.objects.order_by("pk").values_list("pk", "district__office_id"))
        self.holders: dict[int, tuple] = {}
        accounts = (
            Account.objects.filter(status__in=OPEN_STATUSES)
            .order_by("premise_id", "-start_date", "-pk")
            .values_list(
                "premise_id", "pk", "customer_id", "customer__name", "customer__phone", "customer__email"
            )
        )
        for premise, *holder in accounts.iterator(chunk_size=10_000):
            self.holders.setdefault(premise, tuple(holder))
        self.offices = list(BranchOffice.objects.order_by("code"))
        self.crews: dict[int, list[tuple[int, frozenset[str]]]] = {office.pk: [] for office in self.offices}
        self.skills_of: dict[int, frozenset[str]] = {}
        members = User.objects.filter(groups__name=Role.CREW, office__isnull=False, is_active=True)
        for user in members.order_by("username").prefetch_related("skills").distinct():
            self.skills_of[user.pk] = frozenset(s.code for s in user.skills.all())
            self.crews.setdefault(user.office_id, []).append((user.pk, self.skills_of[user.pk]))
        self.clerks: dict[int, list[int]] = {office.pk: [] for office in self.offices}
        for pk, office in (
            User.objects.filter(groups__name=Role.CLERK, office__isnull=False, is_active=True)
            .order_by("username")
            .values_list("pk", "office_id")
        ):
            self.clerks.setdefault(office, []).append(pk)
        logins = dict(
            User.objects.filter(username__in=["clerk", "agent", "billing", "crew"]).values_list(
                "username", "pk"
            )
        )
        all_clerks = [pk for pks in self.clerks.values() for pk in pks]
        self.clerk = logins.get("clerk") or (all_clerks[0] if all_clerks else None)
        self.agent = logins.get("agent") or self.clerk
        self.billing = logins.get("billing") or self.clerk
        # The demo logins' office: its open work goes to them, so that logging in shows some.
        self.demo_crew = logins.get("crew") if logins.get("crew") in self.skills_of else None
        self.demo_office = User.objects.filter(pk=self.demo_crew).values_list("office_id", flat=True).first()

    # Time

    def due(self, kind: _Type, start: datetime) -> datetime:
        if kind.unit == BUSINESS_DAYS:  # only the day counts: one computation per day and standard
            key = (start.date(), kind.amount)
            due = self._due_days.get(key)
            if due is None:
                due = self._due_days[key] = self.cal.due_at(start, kind.amount, kind.unit)
            return due
        return self.cal.due_at(start, kind.amount, kind.unit)

    def after(self, kind: _Type, start: datetime, seconds: float) -> datetime:
        """``seconds`` of the type's clock after ``start``: office time, or real time for clock hours."""
        if kind.unit == CLOCK_HOURS:
            return start + timedelta(seconds=seconds)
        return self.office_time_after(start, seconds)

    def is_open(self, day: date) -> bool:
        if self._known[0] <= day <= self._known[1]:
            return day in self._office_hours
        return self.cal.is_business_day(day)

    def office_time_after(self, start: datetime, seconds: float) -> datetime:
        """The calendar's ``add_business_seconds``, with the office hours looked up in a dict."""
        local = start.astimezone(self.tz)
        day, (first, last) = local.date(), self._known
        if seconds <= 0 or not first <= day <= last:
            return self.cal.add_business_seconds(start, max(0, int(seconds)))
        remaining = timedelta(seconds=int(seconds))
        hours = self._office_hours
        while day <= last:
            if day in hours:
                opening, closing = hours[day]
                cursor = local if local > opening else opening
                if cursor < closing:
                    if remaining <= closing - cursor:
                        return cursor + remaining
                    remaining -= closing - cursor
            day += DAY
        return self.cal.add_business_seconds(start, int(seconds))  # beyond the span (a long standard)

    def standard_seconds(self, kind: _Type) -> int:
        if kind.unit == BUSINESS_DAYS:
            return kind.amount * self.office_seconds
        return kind.amount * 3600

    def slot(self, moment: datetime) -> datetime:
        """The first appointment slot (on the hour, in office hours, on a business day) from ``moment``."""
        local = moment.astimezone(self.tz)
        start = local.replace(minute=0, second=0, microsecond=0)
        if start < local:
            start += HOUR
        day = start.date()
        if start.time() < self.cal.opens:
            start = datetime.combine(day, self.cal.opens, tzinfo=self.tz)
        if start.time() > time(self.cal.closes.hour - 2) or not self.is_open(day):
            day = self.cal.next_business_day(day)
            start = datetime.combine(day, self.cal.opens, tzinfo=self.tz)
        return start

    def between(self, a: datetime, b: datetime, lo: float = 0.0, hi: float = 1.0) -> datetime:
        return a + (b - a) * self.rng.uniform(lo, hi)

    def window(self, visit: _Visit) -> str:
        start, end = visit.start.astimezone(self.tz), visit.end.astimezone(self.tz)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    def reseed(self, day: date, phase: int) -> None:
        """One stream per day of arrivals and pass: a decision that depends on the clock (a request just
        reaching its due time as the load runs) changes that day's requests only, not all that follow."""
        self.rng.seed((self.seed << 40) + (day.toordinal() << 2) + phase)

    # Pass 1: what arrives, and when

    def draw(self) -> list[_Request]:
        rng = self.rng
        days = [self.first_day + timedelta(days=n) for n in range((self.today - self.first_day).days + 1)]
        day_factor = []
        for day in days:
            if self.is_open(day):
                day_factor.append(1.0)
            else:
                day_factor.append(0.25 if day.weekday() == 5 else 0.12)
        cumulative = {}
        for season, months in SEASONS.items():
            cumulative[season] = list(
                accumulate(months[d.month - 1] * f for d, f in zip(days, day_factor, strict=True))
            )
            cumulative["emergency:" + season] = list(accumulate(months[d.month - 1] for d in days))
        recent = days[-RECENT_DAYS:]
        recent_weights = list(accumulate(day_factor[-RECENT_DAYS:]))

        codes = [code for code in TYPE_VOLUMES if code in self.types]
        wanted = round(REQUESTS_PER_PREMISE_YEAR * len(self.premises) * len(days) / 365.25)
        counts = _apportion(wanted, [TYPE_VOLUMES[code] for code in codes])
        plan: list[tuple[str, date, list | None]] = []  # type, day, premises to choose from
        for code, count in zip(codes, counts, strict=True):
            count = max(count, 1)
            season = TYPE_SEASON.get(code, "default")
            if self.types[code].emergency:
                season = "emergency:" + season
            weights = cumulative[season]
            plan += [
                (code, days[bisect.bisect(weights, rng.random() * weights[-1])], None) for _ in range(count)
            ]
        # A working office's last days, even in a small city.
        natural = sum(1 for _code, day, _premises in plan if day >= recent[0])
        type_weights = list(accumulate(TYPE_VOLUMES[code] for code in codes))
        for _ in range(max(0, RECENT_PER_OFFICE * len(self.offices) - natural)):
            code = codes[bisect.bisect(type_weights, rng.random() * type_weights[-1])]
            plan.append(
                (code, recent[bisect.bisect(recent_weights, rng.random() * recent_weights[-1])], None)
            )
        # And jobs of the last two days for the demo crew's office that the demo crew can do.
        demo_premises = [p for p in self.premises if p[1] == self.demo_office]
        demo_skills = self.skills_of.get(self.demo_crew, frozenset())
        demo_codes = [
            c
            for c in codes
            if self.types[c].dispatch and not self.types[c].emergency and self.types[c].skills <= demo_skills
        ]
        if demo_premises and demo_codes:
            for code in rng.choices(
                demo_codes, weights=[TYPE_VOLUMES[c] for c in demo_codes], k=DEMO_CREW_JOBS
            ):
                plan.append((code, recent[-1 - int(rng.random() * 2)], demo_premises))

        channels = [channel for channel, _share in CHANNEL_SHARES]
        channel_weights = list(accumulate(share for _channel, share in CHANNEL_SHARES))
        requests = []
        for code, day, premises in plan:
            kind = self.types[code]
            premises = premises or self.premises
            premise, office = premises[int(rng.random() * len(premises))]
            origin = Origin.CITIZEN
            if kind.emergency:
                channel = Channel.PHONE
            elif code == "leak_diagnosis" and rng.random() < PROACTIVE_LEAK_SHARE:
                channel = origin = Channel.PROACTIVE
            else:
                channel = channels[bisect.bisect(channel_weights, rng.random() * channel_weights[-1])]
            if channel == Channel.VISIT and not self.is_open(day):
                channel = Channel.PHONE  # the offices are closed
            received = self._arrival(day, channel, kind)
            requests.append(
                _Request(
                    type=kind,
                    premise=premise,
                    office=None if kind.central else office,
                    holder=self.holders.get(premise),
                    channel=channel,
                    origin=origin,
                    received=received,
                    due=self.due(kind, received),
                )
            )
        requests.sort(key=lambda r: r.received)
        day = None
        for request in requests:
            if request.received.date() != day:
                day = request.received.date()
                self.reseed(day, 0)
            self.decide(request)
        self._enforce_open(requests)
        return requests

    def _arrival(self, day: date, channel: str, kind: _Type) -> datetime:
        rng = self.rng
        if kind.emergency:
            hours = ANY_HOUR
        elif channel in (Channel.PHONE,):
            hours = PHONE_HOURS
        elif channel in (Channel.VISIT, Channel.PROACTIVE):
            hours = DESK_HOURS
        else:
            hours = ONLINE_HOURS
        cumulative = self._hours[id(hours)]
        hour = bisect.bisect(cumulative, rng.random() * cumulative[-1])
        moment = datetime.combine(
            day, time(hour, int(rng.random() * 60), int(rng.random() * 60)), tzinfo=self.tz
        )
        # Today's later hours have not come yet. Drawn in any case, so the stream does not depend on the clock.
        earlier = timedelta(minutes=1 + int(rng.random() * 180))
        return min(moment, self.now - earlier)

    def decide(self, request: _Request) -> None:
        """Completed, cancelled or still open (and how), from the request's age and standard."""
        rng, now = self.rng, self.now
        age = now - request.received
        kind = request.type
        if request.due <= now:
            recent = age < timedelta(days=30) and not kind.emergency
            if recent and rng.random() < 0.06:
                request.status = self._open_status(request)  # overdue
                return
            if rng.random() < CANCELLED_SHARE:
                request.status = RequestStatus.CANCELLED
                return
            request.status = RequestStatus.COMPLETED
            request.late = rng.random() > ON_TIME_SHARE
            return
        elapsed = age / (request.due - request.received)
        # Works wait for their visit; most paperwork is done in a day or two.
        still_open = 0.9 * (1 - elapsed) ** (2 if kind.dispatch else 3)
        if age < timedelta(minutes=20) or rng.random() < still_open:
            request.status = self._open_status(request)
        else:
            request.status = RequestStatus.COMPLETED

    def _open_status(self, request: _Request) -> str:
        rng = self.rng
        if self.now - request.received < timedelta(minutes=20):
            return RequestStatus.RECEIVED
        if request.type.dispatch:
            if request.type.emergency:
                return RequestStatus.SCHEDULED
            options = [
                RequestStatus.RECEIVED,
                RequestStatus.ASSIGNED,
                RequestStatus.SCHEDULED,
                RequestStatus.WAITING,
            ]
            return rng.choices(options, weights=[15, 25, 50, 10])[0]
        options = [RequestStatus.RECEIVED, RequestStatus.ASSIGNED, RequestStatus.WAITING]
        return rng.choices(options, weights=[30, 58, 12])[0]

    def _enforce_open(self, requests: list[_Request]) -> None:
        """Make sure the consoles have each open situation to show, taken from the latest requests."""
        since, now = self.now - timedelta(days=RECENT_DAYS), self.now
        recent = [r for r in reversed(requests) if r.received >= since and not r.type.emergency]
        demo_skills = self.skills_of.get(self.demo_crew, frozenset())

        def for_demo_crew(r):
            return r.type.dispatch and r.office == self.demo_office and r.type.skills <= demo_skills

        def for_demo_clerk(r):
            return not r.type.dispatch and r.office == self.demo_office and r.due > now

        rules = [  # (status it is left in, which requests may be, how many at least)
            (RequestStatus.ASSIGNED, lambda r: r.due <= now, MINIMUM_OPEN["overdue"]),
            (RequestStatus.SCHEDULED, lambda r: r.type.dispatch, MINIMUM_OPEN["scheduled"]),
            (RequestStatus.SCHEDULED, for_demo_crew, DEMO_CREW_JOBS),
            (RequestStatus.ASSIGNED, for_demo_clerk, 2),
            (RequestStatus.RECEIVED, lambda r: r.due > now, MINIMUM_OPEN["received"]),
            (RequestStatus.WAITING, lambda r: r.due > now, MINIMUM_OPEN["waiting"]),
        ]
        converted = set()
        for status, fits, wanted in rules:
            demo = fits in (for_demo_crew, for_demo_clerk)
            missing = wanted - sum(1 for r in recent if r.status == status and fits(r))
            for request in recent:
                if missing <= 0:
                    break
                # The demo logins' work may be taken from other open requests, not from another rule's.
                convertible = not request.is_open or (demo and id(request) not in converted)
                if convertible and request.status != status and fits(request):
                    request.status, request.late = status, False
                    converted.add(id(request))
                    missing -= 1

    # Pass 2: what happened to each request

    def build(self, request: _Request) -> None:
        rng = self.rng
        kind = request.type
        self.requests.append(request)
        if not request.description:
            request.details = self._details(kind, request.received)
            request.description = self._describe(request)
        if not request.contact[0]:
            request.contact = self._contact(request)
        if not request.created_by:
            request.created_by = self._taker(request)
        request.step(UpdateKind.RECEIVED, request.received, actor=request.created_by)

        companions = []
        if kind.dispatch and request.visit is None:
            request.visit = self._new_visit(request)
            if (
                not kind.emergency
                and request.parent is None
                and request.status != RequestStatus.CANCELLED
                and len(self.dispatch_types) > 1
                and rng.random() < COMPOUND_SHARE
            ):
                companions.append(self._companion(request))
        needed = kind.skills.union(*(c.type.skills for c in companions))

        if request.status == RequestStatus.CANCELLED:
            at = self.between(request.received, min(request.due, self.now), 0.05, 0.5)
            request.resolution = rng.choice(CANCEL_NOTES)
            request.step(UpdateKind.CANCELLED, at, request.resolution, self._desk_owner(request))
            if request.visit is not None:
                request.visit.status = VisitStatus.CANCELLED
            return
        if request.status == RequestStatus.RECEIVED:
            for companion in companions:
                self._follow(companion, request)
            return

        assigned = self._assigned_at(request)
        visit = request.visit
        team = visit.crew if visit is not None else ()
        if visit is not None and not team:
            team = self._team(request.office, needed, request.is_open)
            if request.status in (RequestStatus.COMPLETED, RequestStatus.SCHEDULED):
                visit.crew = team  # the crew is sent when the appointment is made
        request.owner = (team[0] if team else None) or self._desk_owner(request)
        request.step(UpdateKind.ASSIGNED, assigned, actor=request.owner)

        if request.status == RequestStatus.COMPLETED:
            self._complete(request, assigned)
        elif request.status == RequestStatus.SCHEDULED:
            self._schedule(request, assigned)
        elif request.status == RequestStatus.WAITING:
            self._wait(request, assigned)
        elif request.due <= self.now and rng.random() < 0.5:
            self._announce_delay(request, request.due - timedelta(hours=1 + int(rng.random() * 3)))
        for companion in companions:
            self._follow(companion, request)
        for companion in [request, *companions]:
            if companion.status == RequestStatus.COMPLETED:
                self._survey(companion)
        if (
            request.status == RequestStatus.COMPLETED
            and visit is not None
            and rng.random() < FOUND_ON_SITE_SHARE
        ):
            self._found_on_site(request)

    def _details(self, kind: _Type, received: datetime) -> dict:
        rng, details = self.rng, {}
        for spec in kind.form_fields:
            if not spec.get("required") and rng.random() < 0.5:
                continue
            name, field_kind = spec["name"], spec.get("kind", "text")
            if spec.get("choices"):
                details[name] = rng.choice(spec["choices"])[0]
            elif field_kind == "date":
                details[name] = (received.date() - timedelta(days=rng.randint(2, 25))).isoformat()
            elif field_kind == "number":
                details[name] = rng.randint(2, 5)
            elif name in FIELD_VALUES:
                details[name] = rng.choice(FIELD_VALUES[name])
            elif name == "when":
                details[name] = (received.date() - timedelta(days=rng.randint(1, 5))).isoformat()
        return details

    def _describe(self, request: _Request) -> str:
        rng, kind, details = self.rng, request.type, request.details
        key = kind.code
        if request.origin == Origin.PROACTIVE and f"{key}:proactive" in DESCRIPTIONS:
            key += ":proactive"
        for name in ("symptom", "works_kind"):
            if name in details and f"{key}:{details[name]}" in DESCRIPTIONS:
                key += f":{details[name]}"
        templates = DESCRIPTIONS.get(key) or ["{type} 요청입니다."]
        values = {
            "where": rng.choice(FIELD_VALUES["where"]),
            "bank": rng.choice(FIELD_VALUES["bank"]),
            "repaired_on": "지난주",
            "households": 2,
            "when": "어제",
            "jump": rng.choice([2, 3, 4]),
            "type": kind.code,
            **details,
        }
        template = rng.choice(templates)
        if isinstance(template, tuple):
            template, request.hint = template
        return template.format(**values)

    def _resolution(self, request: _Request) -> str:
        return request.hint or self.rng.choice(RESOLUTIONS.get(request.type.code) or ["처리했습니다."])

    def _contact(self, request: _Request) -> tuple[str, str, str]:
        holder = request.holder
        if request.type.emergency and (holder is None or self.rng.random() < 0.5):
            request.holder = None  # a passer-by reports it
            return (_korean_name(self.rng), f"+8210{self.rng.randint(20_000_000, 99_999_999)}", "")
        if holder is None:
            return (_korean_name(self.rng), f"+8210{self.rng.randint(20_000_000, 99_999_999)}", "")
        email = holder[4] if request.channel in (Channel.WEB, Channel.EMAIL) else ""
        return (holder[2], holder[3], email)

    def _taker(self, request: _Request) -> int | None:
        if request.channel == Channel.PHONE:
            return self.agent
        if request.channel in (Channel.VISIT, Channel.PROACTIVE):
            return self._office_clerk(request.office)
        return None  # web, e-mail, fax and mail are typed in by the system's intake

    def _office_clerk(self, office: int | None) -> int | None:
        clerks = self.clerks.get(office) or []
        return clerks[int(self.rng.random() * len(clerks))] if clerks else self.clerk

    def _desk_owner(self, request: _Request) -> int | None:
        if request.type.code == "auto_payment":  # the billing team's
            return self.billing
        if request.office is None or (request.office == self.demo_office and request.is_open):
            return self.clerk
        return self._office_clerk(request.office)

    def _new_visit(self, request: _Request) -> _Visit | None:
        office = request.office
        if office is None or request.premise is None:
            return None
        visit = _Visit(
            premise=request.premise, office=office, created_at=request.received, created_by=request.created_by
        )
        self.visits.append(visit)
        return visit

    def _team(self, office: int | None, needed: frozenset[str], is_open: bool = False) -> tuple[int, ...]:
        """One member who has every skill needed, or two who have them between them."""
        crew = self.crews.get(office) or []
        if not crew:
            return ()
        if (
            office == self.demo_office
            and is_open
            and needed <= self.skills_of.get(self.demo_crew, frozenset())
        ):
            return (self.demo_crew,)
        key = (office, needed)
        if key not in self._teams:
            singles = [member for member, skills in crew if needed <= skills]
            pairs = [
                (a, b) for (a, sa), (b, sb) in combinations(crew, 2) if needed <= sa | sb and (needed & sb)
            ]
            self._teams[key] = (singles, pairs)
        singles, pairs = self._teams[key]
        if singles and (not pairs or self.rng.random() < 0.65):
            return (self.rng.choice(singles),)
        if pairs:
            return self.rng.choice(pairs)
        return (crew[0][0],)

    def _assigned_at(self, request: _Request) -> datetime:
        kind = request.type
        if kind.emergency:
            at = request.received + timedelta(minutes=2 + self.rng.random() * 8)
        elif kind.unit == CLOCK_HOURS:
            at = request.received + timedelta(minutes=5 + self.rng.random() * 25)
        else:
            at = self.office_time_after(request.received, self.rng.randint(300, 7200))
        limit = self.now - MINUTE
        if request.status == RequestStatus.COMPLETED:
            limit = min(limit, request.received + (self._completion(request) - request.received) * 0.3)
        return max(request.received, min(at, limit))

    def _completion(self, request: _Request) -> datetime:
        """When the request is (was) completed; decided once."""
        if request.completed is not None:
            return request.completed
        rng, kind, now = self.rng, request.type, self.now
        if request.late:
            overshoot = rng.uniform(0.05, 0.6) * self.standard_seconds(kind)
            done = self.after(kind, request.due, max(1800, overshoot))
            if done > now:
                done = self.between(request.due, now, 0.2, 0.95)
        else:
            share = rng.uniform(0.15, 0.9) if kind.dispatch else rng.betavariate(1.2, 4) * 0.9 + 0.02
            done = self.after(kind, request.received, share * self.standard_seconds(kind))
            done = min(done, request.due - MINUTE)
            if done > now - MINUTE:
                done = self.between(request.received, now - MINUTE, 0.4, 0.95)
        request.completed = max(done, request.received + MINUTE)
        return request.completed

    def _complete(self, request: _Request, assigned: datetime) -> None:
        rng, kind = self.rng, request.type
        done = self._completion(request)
        request.resolution = self._resolution(request)
        visit = request.visit
        late_notice = request.late and rng.random() < 0.6
        delay_at = request.due - timedelta(hours=1 + int(rng.random() * 3))
        if visit is not None and visit.status == VisitStatus.PLANNED:
            work = timedelta(
                minutes=rng.randint(60, 300) if kind.code == "supply_works" else rng.randint(20, 120)
            )
            started = max(done - work, assigned + (done - assigned) * 0.5)
            if not kind.emergency:  # emergencies are attended at once, without an appointment
                start = started.astimezone(self.tz).replace(minute=0, second=0, microsecond=0)
                start = max(start - timedelta(minutes=30 * int(rng.random() * 2)), assigned)
                visit.start, visit.end = start, start + 2 * HOUR
                visit.note = f"{request.contact[0]} 님과 통화하여 약속"
                request.step(
                    UpdateKind.APPOINTMENT,
                    assigned + (start - assigned) * 0.1,
                    self.window(visit),
                    request.owner,
                )
            if late_notice:
                self._announce_delay(request, delay_at)
            visit.status, visit.started, visit.completed = VisitStatus.COMPLETED, started, done
            visit.findings = rng.choice(FINDINGS.get(kind.code) or ["현장 확인"])
            visit.work_done = request.resolution
            request.step(UpdateKind.ON_SITE, started, actor=visit.crew[0] if visit.crew else None)
        elif late_notice:
            self._announce_delay(request, delay_at)
        request.step(UpdateKind.COMPLETED, done, request.resolution, request.owner)

    def _schedule(self, request: _Request, assigned: datetime) -> None:
        visit = request.visit
        if visit is None:
            request.status = RequestStatus.ASSIGNED
            return
        now = self.now
        if request.type.emergency:
            start = max(assigned, now - timedelta(minutes=10))
            visit.start, visit.end = start, start + HOUR
            visit.note = "긴급 출동"
        else:
            if request.due > now:
                window = self.cal.business_seconds_between(now, request.due)
                target = self.office_time_after(now, self.rng.uniform(0.2, 0.8) * window)
            else:
                target = now + timedelta(hours=self.rng.uniform(2, 30))
            start = self.slot(target)
            visit.start, visit.end = start, start + 2 * HOUR
            visit.note = f"{request.contact[0]} 님과 통화하여 약속"
        request.step(
            UpdateKind.APPOINTMENT, self.between(assigned, now, 0, 0.5), self.window(visit), request.owner
        )
        if visit.end > request.due:
            self._announce_delay(request, request.steps[-1][1])

    def _wait(self, request: _Request, assigned: datetime) -> None:
        rng = self.rng
        request.paused = self.between(assigned, self.now - MINUTE, 0.1, 0.9)
        request.remaining = self.cal.remaining_seconds(request.paused, request.due, request.type.unit)
        group = TypeGroup.DISPATCH if request.type.dispatch else TypeGroup.ADMINISTRATIVE
        request.step(UpdateKind.WAITING, request.paused, rng.choice(WAITING_NOTES[group]), request.owner)
        if request.visit is not None:
            request.visit.note = "고객 연락 대기"

    def _announce_delay(self, request: _Request, at: datetime) -> None:
        at = max(at, request.steps[-1][1])
        if at > self.now:
            return
        request.delay_noticed = at
        request.step(UpdateKind.DELAYED, at, self.rng.choice(DELAY_NOTES), request.owner)

    def _companion(self, primary: _Request) -> _Request:
        """Another problem of the same household, told in the same call: it goes on the same visit."""
        kinds = [t for t in self.dispatch_types if t.code != primary.type.code]
        kind = self.rng.choices(kinds, weights=[TYPE_VOLUMES.get(t.code, 1) for t in kinds])[0]
        received = primary.received + timedelta(minutes=1 + self.rng.random() * 3)
        companion = _Request(
            type=kind,
            premise=primary.premise,
            office=primary.office,
            holder=primary.holder,
            channel=primary.channel,
            origin=primary.origin,
            received=received,
            due=self.due(kind, received),
            contact=primary.contact,
            created_by=primary.created_by,
            visit=primary.visit,
        )
        companion.details = self._details(kind, received)
        companion.description = self._describe(companion)
        return companion

    def _follow(self, companion: _Request, primary: _Request) -> None:
        """The companion shares the primary's visit, owner and fate."""
        self.requests.append(companion)
        companion.step(UpdateKind.RECEIVED, companion.received, actor=companion.created_by)
        companion.status, companion.owner = primary.status, primary.owner
        companion.completed, companion.paused = primary.completed, primary.paused
        if companion.completed is not None:  # a primary done within minutes of the call
            companion.completed = max(companion.completed, companion.received + MINUTE)
        if primary.paused is not None:
            companion.remaining = self.cal.remaining_seconds(
                primary.paused, companion.due, companion.type.unit
            )
        if primary.status == RequestStatus.COMPLETED:
            companion.resolution = self._resolution(companion)
            if companion.visit is not None:
                companion.visit.work_done += f" / {companion.resolution}"
        for kind, at, note, actor in primary.steps[1:]:
            if kind == UpdateKind.COMPLETED:
                note = companion.resolution
            if kind != UpdateKind.DELAYED:  # the delay was the primary's
                companion.step(kind, at, note, actor)

    def _survey(self, request: _Request) -> None:
        """The Happy Call after completion; an unsatisfied answer brings a revisit the next business day."""
        rng, now = self.rng, self.now
        if rng.random() >= SURVEY_SHARE:
            return
        scheduled = request.completed + self.survey_delay
        if scheduled > now or (now - request.completed < DAY and rng.random() < 0.5):
            request.survey = _survey_row(SurveyStatus.SCHEDULED, scheduled)  # on today's call list
            return
        if rng.random() < UNREACHABLE_SHARE:
            request.survey = _survey_row(SurveyStatus.UNREACHABLE, scheduled, attempts=3, caller=self.agent)
            return
        if rng.random() < 0.75:
            via, attempts, caller = AnsweredVia.CALL, 1 + int(rng.random() < 0.3), self.agent
            answered = scheduled + timedelta(minutes=rng.uniform(0, 50))
        else:
            via, attempts, caller = AnsweredVia.LINK, 0, None
            answered = scheduled + timedelta(minutes=rng.uniform(5, 480))
        answered = max(scheduled, min(answered, now - MINUTE))
        satisfied = rng.random() < SATISFIED_SHARE
        if satisfied:
            scores = rng.choices([5, 4, 3], weights=[62, 33, 5], k=4)
            comment = rng.choice(PRAISE) if rng.random() < 0.1 else ""
        else:
            scores = rng.choices([3, 2, 1], weights=[25, 45, 30], k=4)
            scores[3] = rng.choice([1, 2])
            comment = rng.choice(UNSATISFIED_COMMENTS)
        at = request.step(UpdateKind.SURVEY, answered, actor=caller)
        revisit = None
        if not satisfied:
            revisit = self._revisit(request, at, via, caller, comment)
            request.step(UpdateKind.REVISIT, at, revisit, caller)
        request.survey = _survey_row(
            SurveyStatus.ANSWERED, scheduled, at, via, attempts, caller, satisfied, scores, comment, revisit
        )

    def _revisit(
        self, original: _Request, at: datetime, via: str, caller: int | None, comment: str
    ) -> _Request:
        self.revisits += 1
        kind = original.type
        revisit = _Request(
            type=kind,
            premise=original.premise,
            office=original.office,
            holder=original.holder,
            channel=Channel.PHONE if via == AnsweredVia.CALL else Channel.WEB,
            origin=original.origin,
            received=at,
            due=self.cal.add_business_days(at, 1),
            contact=original.contact,
            created_by=caller,
            parent=original,
            link_kind=LinkKind.REVISIT,
            description=f"재방문: {comment}",
            details=dict(original.details),
        )
        if original.visit is not None:
            revisit.visit = _Visit(
                premise=original.visit.premise,
                office=original.visit.office,
                created_at=at,
                created_by=caller,
                crew=original.visit.crew,
            )
            self.visits.append(revisit.visit)
        # Done the next business day, unless that is still to come.
        day = self.cal.next_business_day(at.astimezone(self.tz).date())
        done = datetime.combine(day, time(10), tzinfo=self.tz) + timedelta(minutes=self.rng.randint(0, 360))
        if done <= self.now:
            revisit.status, revisit.completed = RequestStatus.COMPLETED, done
        else:
            revisit.status = RequestStatus.SCHEDULED if revisit.visit is not None else RequestStatus.ASSIGNED
        self.build(revisit)
        return revisit

    def _found_on_site(self, original: _Request) -> None:
        """A problem the crew found beyond what was asked: fixed at once, or handed on as a new request."""
        rng, visit = self.rng, original.visit
        codes = [
            c
            for c in FOUND_TYPES.get(original.type.code, ["leak_diagnosis", "indoor_piping"])
            if c in self.types
        ]
        if not codes or visit.completed is None:
            return
        self.found += 1
        kind = self.types[rng.choice(codes)]
        received = max(visit.started, visit.completed - timedelta(minutes=rng.randint(3, 15)))
        found = _Request(
            type=kind,
            premise=original.premise,
            office=None if kind.central else original.office,
            holder=original.holder,
            channel=Channel.FIELD,
            origin=original.origin,
            received=received,
            due=self.due(kind, received),
            contact=original.contact,
            created_by=visit.crew[0] if visit.crew else None,
            parent=original,
            link_kind=LinkKind.FOUND_ON_SITE,
            description=FOUND_DESCRIPTIONS.get(kind.code, "현장에서 추가 문제를 발견했습니다."),
        )
        found.details = self._details(kind, received)
        crew_skills = frozenset().union(*(self.skills_of.get(member, ()) for member in visit.crew))
        if kind.dispatch and kind.skills <= crew_skills and rng.random() < 0.5:  # fixed on the spot
            found.visit = visit
            found.status, found.completed = RequestStatus.COMPLETED, visit.completed
            found.created_by = found.created_by or original.owner
            self.requests.append(found)
            found.step(UpdateKind.RECEIVED, received, actor=found.created_by)
            found.owner = found.created_by
            found.resolution = self._resolution(found)
            found.step(UpdateKind.COMPLETED, visit.completed, found.resolution, found.owner)
            self._survey(found)
            return
        self.decide(found)
        self.build(found)


def _apportion(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), so the mix is exact."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _survey_row(
    status: str,
    scheduled: datetime,
    answered: datetime | None = None,
    via: str = "",
    attempts: int = 0,
    caller: int | None = None,
    satisfied: bool | None = None,
    scores: list[int | None] = (None, None, None, None),
    comment: str = "",
    revisit: _Request | None = None,
) -> tuple:
    """Survey columns after request and token, in SURVEY_FIELDS order (the revisit still an object)."""
    return (status, scheduled, answered, via, attempts, caller, satisfied, *scores, comment, revisit)


# Loading


def load_demo_requests(*, seed: int, years: int = 3, today: date | None = None, stdout=None) -> dict:
    """Crews and ``years`` years of requests, visits and Happy Calls ending ``today``; returns counts."""
    if years < 1:
        raise ValueError("years must be at least 1")
    started = _time.monotonic()
    real_today = dates.today()
    today = today or real_today
    tz = business_calendar().tz
    if today >= real_today:
        now = timezone.now().astimezone(tz).replace(microsecond=0)
    else:
        now = datetime.combine(today, time(18), tzinfo=tz)
    counts = {"requests": 0, "visits": 0, "surveys": 0, "revisits": 0, "crews": 0}
    with transaction.atomic():
        offices = list(BranchOffice.objects.order_by("code"))
        counts["crews"] = _ensure_staff(offices, random.Random(f"{seed}:crews"))
        if not Premise.objects.exists():
            return counts
        generator = _Generator(seed, today, now, years)
        day = None
        for request in generator.draw():
            if request.received.date() != day:
                day = request.received.date()
                generator.reseed(day, 1)
            generator.build(request)
        counts.update(_write(generator))
        counts.update(revisits=generator.revisits, found_on_site=generator.found)
    if stdout is not None:
        stdout.write(f"Service desk: {counts['requests']:,} requests in {_time.monotonic() - started:.1f} s.")
    return counts


def _insert(model, fields: list[str], rows) -> int:
    """``core.bulk.insert_rows``, with a faster road for SQLite's datetimes.

    On SQLite insert_rows adapts each datetime through its model field (about 25 µs a value, most
    of the load for a million step times); ours are all aware, so they become SQLite's text here.
    """
    if connection.vendor == "postgresql":
        return insert_rows(model, fields, rows)
    kinds = [model._meta.get_field(name) for name in fields]
    moments = [i for i, f in enumerate(kinds) if isinstance(f, models.DateTimeField)]
    documents = [i for i, f in enumerate(kinds) if isinstance(f, models.JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in kinds)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    written = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, 2000)):
            if moments or documents:
                for index, row in enumerate(batch):
                    row = batch[index] = list(row)
                    for i in moments:
                        if row[i] is not None:
                            row[i] = str(row[i].astimezone(UTC).replace(tzinfo=None))
                    for i in documents:
                        row[i] = _json_text(row[i])
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


_json_text = json.JSONEncoder(ensure_ascii=False).encode


def _write(generator: _Generator) -> dict[str, int]:
    requests = sorted(generator.requests, key=lambda r: r.received)
    visits = sorted(generator.visits, key=lambda v: v.created_at)
    tz = generator.tz
    for visit, pk, serial in zip(
        visits, reserve_ids(Visit, len(visits)), take_numbers(VISIT_SEQUENCE, len(visits)), strict=True
    ):
        visit.pk, visit.number = pk, format_visit_number(visit.created_at.astimezone(tz).year, serial)
    for request, pk, serial in zip(
        requests,
        reserve_ids(ServiceRequest, len(requests)),
        take_numbers(REQUEST_SEQUENCE, len(requests)),
        strict=True,
    ):
        request.pk, request.number = pk, format_request_number(request.received.astimezone(tz).year, serial)

    counts = {}
    tables = [
        model._meta.db_table for model in (Visit, Visit.crew.through, ServiceRequest, Survey, RequestUpdate)
    ]
    # PostgreSQL: indexes built once and foreign keys checked with one join each, as for the city.
    with deferred_indexes(tables) if connection.vendor == "postgresql" else nullcontext():
        counts.update(_write_rows(visits, requests))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Visit, ServiceRequest, Survey, RequestUpdate):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return counts


def _write_rows(visits: list[_Visit], requests: list[_Request]) -> dict[str, int]:
    counts = {}
    counts["visits"] = _insert(
        Visit,
        VISIT_FIELDS,
        (
            (v.pk, v.number, v.premise, v.office, v.status, v.start, v.end, v.note, v.started, v.completed,
             v.findings, v.work_done, v.created_at, v.created_by)
            for v in visits
        ),
    )  # fmt: skip
    _insert(Visit.crew.through, ["visit", "user"], ((v.pk, member) for v in visits for member in v.crew))
    counts["requests"] = _insert(
        ServiceRequest,
        REQUEST_FIELDS,
        (
            (r.pk, r.number, r.type.pk, r.channel, r.origin, r.premise, r.holder[0] if r.holder else None,
             r.holder[1] if r.holder else None, r.contact[0], r.contact[1], r.contact[2], bool(r.contact[1]),
             bool(r.contact[2]), r.description, r.details, r.office, r.owner, r.status,
             r.visit.pk if r.visit else None, r.parent.pk if r.parent else None, r.link_kind, r.received,
             r.due, r.paused, r.remaining, r.completed, r.resolution, r.delay_noticed, r.created_by,
             new_token(), "")
            for r in requests
        ),
    )  # fmt: skip
    counts["surveys"] = _insert(
        Survey,
        SURVEY_FIELDS,
        (
            (r.pk, new_token(), *r.survey[:-1], r.survey[-1].pk if r.survey[-1] else None)
            for r in requests
            if r.survey is not None
        ),
    )
    counts["updates"] = _insert(
        RequestUpdate,
        UPDATE_FIELDS,
        (
            (r.pk, kind, at, note.number if isinstance(note, _Request) else note, actor)
            for r in requests
            for kind, at, note, actor in r.steps
        ),
    )
    return counts
