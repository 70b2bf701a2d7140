"""The settings a developer exports (DJANGO_SETTINGS_MODULE): one more app."""
from .settings import *  # noqa: F401,F403

INSTALLED_APPS = INSTALLED_APPS + ["extra"]  # noqa: F405
