from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name",
            field=models.TextField(null=True),
        ),
        migrations.RemoveField(
            model_name="user",
            name="legacy_flags",
        ),
    ]
