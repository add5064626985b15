"""The demo's figures (Seoul's volumes and mixes, scaled) and the words its requests are written in."""

from __future__ import annotations

from datetime import timedelta

from ..choices import (
    Channel,
    TypeGroup,
)

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
# What the clerk notes when agreeing the visit (free text the crew reads: no names in it).
APPOINTMENT_NOTES = [
    "민원인과 통화하여 약속",
    "세입자와 통화하여 약속, 초인종 두 번",
    "관리사무소에 열쇠 맡김",
    "민원인과 통화하여 약속, 방문 30분 전 연락 요망",
]
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
