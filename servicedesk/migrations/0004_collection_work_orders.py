"""Work orders of collection (docs/collection.md, "Late fees and dunning"): the crew shuts off the
water of an account in arrears (단수 집행) and turns it back on once the arrears are paid (단수 해제).
Collection opens these requests itself; they are in the catalogue so the office queue, the
dispatcher and the field pages show them like any other visit."""

from django.db import migrations

# code, Korean, English, standard amount, unit, position
WORK_ORDERS = [
    ("disconnection", "체납 단수 집행", "Disconnection for arrears", 5, "business_days", 900),
    # The household has paid: its water comes back within the working day.
    ("reconnection", "단수 해제 (급수 재개)", "Reconnection after payment", 8, "business_hours", 910),
]


def install(apps, schema_editor):
    Skill = apps.get_model("staff", "Skill")
    RequestType = apps.get_model("servicedesk", "RequestType")
    meter, _ = Skill.objects.get_or_create(code="meter", defaults={"name": "계량기", "name_en": "Meters"})
    for code, name, name_en, amount, unit, position in WORK_ORDERS:
        kind, _ = RequestType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": "dispatch",
                "needs_visit": True,
                "routing": "office",
                "central_team": "",
                "standard_amount": amount,
                "standard_unit": unit,
                "emergency": False,
                "form_fields": [],
                "position": position,
            },
        )
        kind.skills.set([meter])


def remove(apps, schema_editor):
    apps.get_model("servicedesk", "RequestType").objects.filter(
        code__in=[row[0] for row in WORK_ORDERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0003_visit_requested_time"),
        ("staff", "0002_skill_user_skills"),
    ]

    operations = [migrations.RunPython(install, remove)]
