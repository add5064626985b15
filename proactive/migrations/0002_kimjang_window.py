"""The 김장 season as the first seasonal window: a rise in it must be twice the household's usual."""

from decimal import Decimal

from django.db import migrations


def add_window(apps, schema_editor):
    SeasonalWindow = apps.get_model("proactive", "SeasonalWindow")
    SeasonalWindow.objects.get_or_create(
        name="김장철",
        defaults={
            "name_en": "Kimjang season",
            "starts": "11-10",
            "ends": "12-20",
            "min_ratio": Decimal("2.00"),
            "use_types": ["domestic"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("proactive", "0001_initial")]
    operations = [migrations.RunPython(add_window, migrations.RunPython.noop)]
