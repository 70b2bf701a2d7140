from django.db import models


class Item(models.Model):
    name = models.TextField()
    price = models.IntegerField(null=True)

    class Meta:
        ordering = ["name"]
