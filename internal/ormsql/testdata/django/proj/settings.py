"""Settings that name their databases themselves, as many projects do: they
never read DATABASE_URL. The test points them at a database of its own that
plays the developer's (RENDER_TEST_DEVELOPER_DB, a JSON object), which
rendering must leave alone."""
import json
import os

SECRET_KEY = "render-test"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["shop"]

_developer = json.loads(os.environ["RENDER_TEST_DEVELOPER_DB"])
DATABASES = {
    "default": dict(_developer, ENGINE="django.db.backends.postgresql"),
    "reporting": dict(_developer, ENGINE="django.db.backends.postgresql"),
}
