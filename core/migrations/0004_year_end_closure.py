"""The utility's yearly year-end closure: offices are shut 29 December - 3 January."""

import datetime

from django.db import migrations

NAME = "연말연시 휴무 (Year-end closure)"


def create_closure(apps, schema_editor):
    Closure = apps.get_model("core", "Closure")
    # Only month and day count for a yearly closure; the years just make the span wrap.
    Closure.objects.get_or_create(
        name=NAME,
        every_year=True,
        defaults={"starts_on": datetime.date(2000, 12, 29), "ends_on": datetime.date(2001, 1, 3)},
    )


def delete_closure(apps, schema_editor):
    Closure = apps.get_model("core", "Closure")
    Closure.objects.filter(name=NAME, every_year=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_closure_notification"),
    ]

    operations = [
        migrations.RunPython(create_closure, delete_closure),
    ]
