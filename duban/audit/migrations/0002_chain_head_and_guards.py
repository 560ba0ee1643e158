from django.db import migrations


def create_head(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    ChainHead.objects.get_or_create(id=1)


def install_guards(apps, schema_editor):
    from duban.audit import guards

    guards.install(schema_editor.connection)


def remove_guards(apps, schema_editor):
    from duban.audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(install_guards, remove_guards),
    ]
