from django.db import migrations


def forwards(apps, schema_editor):
    from duban.leave.defaults import install_defaults

    install_defaults(apps.get_model("leave", "AbsenceType"), apps.get_model("leave", "ChainRule"), apps.get_model("leave", "ChainStep"))


class Migration(migrations.Migration):
    dependencies = [("leave", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
