from django.db import models


class User(models.Model):
    email = models.TextField(unique=True)
    display_name = models.TextField(null=True)
