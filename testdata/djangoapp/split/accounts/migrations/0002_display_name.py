from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name",
            field=models.TextField(null=True),
        ),
        # The model no longer has legacy_flags; the column itself is dropped
        # one release later (accounts/migrations-deferred).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="user", name="legacy_flags")],
            database_operations=[],
        ),
    ]
