from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name",
            field=models.TextField(null=True),
        ),
        # The new release no longer writes legacy_flags, whose default is
        # Django's, not the database's: the column must accept NULL before
        # the deploy, or the new release's inserts fail (phasegate's deploy
        # scenario shows it).
        migrations.AlterField(
            model_name="user",
            name="legacy_flags",
            field=models.TextField(default="", null=True),
        ),
        # The model no longer has legacy_flags; the column itself is dropped
        # one release later (accounts/migrations-deferred).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="user", name="legacy_flags")],
            database_operations=[],
        ),
    ]
