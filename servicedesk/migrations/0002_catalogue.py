"""The request catalogue of the source documents (Seoul's customer-support system) and
the service standards of the KWWA service charter. Utilities change it in the admin."""

from django.db import migrations

SKILLS = [
    ("leak", "누수 탐지", "Leak detection"),
    ("meter", "계량기", "Meters"),
    ("quality", "수질", "Water quality"),
    ("plumbing", "배관", "Piping"),
    ("works", "급수공사", "Supply works"),
]

SYMPTOMS = [
    ["no_water", "단수", "No water"],
    ["low_pressure", "수압 저하", "Low pressure"],
    ["discoloured", "탁수·녹물", "Discoloured water"],
]

# code, Korean, English, group, needs_visit, skills, routing, central team, amount, unit, emergency, form fields
CATALOGUE = [
    ("emergency_leak", "긴급 누수 신고", "Emergency leak report", "dispatch", True, ["leak", "plumbing"],
     "office", "", 2, "clock_hours", True,
     [{"name": "where", "label": "누수 위치", "label_en": "Where", "required": True}]),
    ("supply_inconvenience", "출수 불량 (단수·수압·탁수)", "Supply inconvenience (no or low water)", "dispatch",
     True, ["plumbing"], "office", "", 4, "clock_hours", False,
     [{"name": "symptom", "label": "증상", "label_en": "Symptom", "required": True, "choices": SYMPTOMS}]),
    ("leak_diagnosis", "누수 진단", "Leak diagnosis", "dispatch", True, ["leak"], "office", "", 9,
     "business_hours", False,
     [{"name": "where", "label": "의심 위치", "label_en": "Suspected place", "required": False}]),
    ("water_quality", "수질 검사", "Water-quality test", "dispatch", True, ["quality"], "office", "", 27,
     "business_hours", False,
     [{"name": "sample_point", "label": "채수 위치", "label_en": "Sampling tap", "required": False}]),
    ("meter_replacement", "계량기 교체", "Meter replacement", "dispatch", True, ["meter"], "office", "", 18,
     "business_hours", False, []),
    ("indoor_piping", "옥내 배관 진단", "Indoor piping", "dispatch", True, ["plumbing"], "office", "", 27,
     "business_hours", False, []),
    ("supply_works", "급수 공사", "Supply works", "dispatch", True, ["works"], "office", "", 15,
     "business_days", False,
     [{"name": "works_kind", "label": "공사 종류", "label_en": "Kind of works", "required": True,
       "choices": [["new", "신설", "New connection"], ["change", "개조", "Alteration"],
                   ["remove", "철거", "Removal"]]}]),
    ("works_other", "기타 공사", "Other works", "dispatch", True, [], "office", "", 15, "business_days", False, []),
    ("name_change", "명의 변경", "Name change", "administrative", False, [], "office", "", 15, "business_days",
     False, []),
    ("auto_payment", "자동 납부 신청·해지", "Auto-payment", "administrative", False, [], "central",
     "요금팀 (Billing team)", 15, "business_days", False,
     [{"name": "bank", "label": "은행", "label_en": "Bank", "required": False}]),
    ("leak_reduction", "옥내 누수 요금 감면", "Indoor-leak bill reduction", "administrative", False, [], "office",
     "", 15, "business_days", False,
     [{"name": "repaired_on", "label": "수리일", "label_en": "Repaired on", "required": True, "kind": "date"}]),
    ("household_split", "세대 분할", "Household split", "administrative", False, [], "office", "", 15,
     "business_days", False,
     [{"name": "households", "label": "세대수", "label_en": "Households", "required": True, "kind": "number"}]),
    ("supply_facilities", "급수 설비 신고", "Supply facilities", "administrative", False, [], "office", "", 15,
     "business_days", False, []),
    ("move", "전입·전출 정산", "Move in or out", "administrative", False, [], "office", "", 3, "business_days",
     False, []),
    ("enquiry", "문의", "Enquiry", "administrative", False, [], "central", "콜센터 (Call centre)", 7,
     "business_days", False, []),
    ("complaint", "고충 민원", "Complaint", "administrative", False, [], "office", "", 30, "business_days", False,
     []),
    ("staff_complaint", "직원 불친절 민원", "Complaint about staff", "administrative", False, [], "central",
     "고객만족팀 (Customer satisfaction team)", 7, "business_days", False,
     [{"name": "when", "label": "일시", "label_en": "When", "required": False}]),
    ("other", "기타", "Other", "administrative", False, [], "office", "", 15, "business_days", False, []),
]


def install(apps, schema_editor):
    Skill = apps.get_model("staff", "Skill")
    RequestType = apps.get_model("servicedesk", "RequestType")
    skills = {}
    for code, name, name_en in SKILLS:
        skills[code], _ = Skill.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    for position, row in enumerate(CATALOGUE, start=1):
        (code, name, name_en, group, needs_visit, skill_codes, routing, team, amount, unit, emergency,
         fields) = row
        kind, _ = RequestType.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "name_en": name_en, "group": group, "needs_visit": needs_visit,
                "routing": routing, "central_team": team, "standard_amount": amount, "standard_unit": unit,
                "emergency": emergency, "form_fields": fields, "position": position * 10,
            },
        )
        kind.skills.set([skills[s] for s in skill_codes])


def remove(apps, schema_editor):
    apps.get_model("servicedesk", "RequestType").objects.filter(code__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0001_initial"),
        ("staff", "0002_skill_user_skills"),
    ]

    operations = [migrations.RunPython(install, remove)]
