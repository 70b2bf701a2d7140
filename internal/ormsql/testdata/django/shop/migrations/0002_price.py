from django.db import migrations, models


def add_first_item(apps, schema_editor):
    Item = apps.get_model("shop", "Item")
    Item.objects.create(name="rendered here")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(name="item", options={"ordering": ["name"]}),
        migrations.RunPython(add_first_item, migrations.RunPython.noop),
        migrations.AddField(model_name="item", name="price", field=models.IntegerField(null=True)),
    ]
