from django.db import models


class User(models.Model):
    email = models.TextField(unique=True)
    legacy_flags = models.TextField(default="")
