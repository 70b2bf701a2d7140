"""phasegate's reader of the test database Django's test runner (manage.py
test, and pytest-django) tests on: the settings' DATABASES["default"]["TEST"]
["NAME"], or "test_" followed by its NAME, as the backend derives it.

Usage: python3 django_testdb.py OUTPUT.json   (in the directory of manage.py,
DJANGO_SETTINGS_MODULE in the environment). It writes {"name": ...}; nothing
connects to a database.
"""
import json
import os
import sys

sys.path.insert(0, os.getcwd())
import django  # noqa: E402

django.setup()
from django.db import connections  # noqa: E402

with open(sys.argv[1], "w") as f:
    json.dump({"name": connections["default"].creation._get_test_db_name()}, f)
