from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name",
            field=models.TextField(null=True),
        ),
        # phasegate split: DROP COLUMN legacy_flags waits for the next release in
        # accounts/migrations-deferred/0002_display_name_contract.sql; the model state changes now.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="user",
                    name="legacy_flags",
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE accounts_user ALTER COLUMN legacy_flags DROP NOT NULL",
                    ],
                    # accounts_user.legacy_flags stays nullable: the new release wrote rows without it
                    reverse_sql=migrations.RunSQL.noop,
                ),
            ],
        ),
    ]
