"""Settings of the example shop: the database comes from DATABASE_URL."""
import os
from urllib.parse import unquote, urlparse

SECRET_KEY = "example-only"
INSTALLED_APPS = ["accounts"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_url = urlparse(os.environ.get("DATABASE_URL", "postgresql://localhost/shop"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }
}
