"""The shop's own test suite. It runs against the database DATABASE_URL
names, as it is (not a test database Django would create and migrate)."""
import os
import unittest
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
import django  # noqa: E402

django.setup()
from accounts.models import User  # noqa: E402


class UserTest(unittest.TestCase):
    def test_create_and_list(self):
        email = f"{uuid.uuid4()}@example.com"
        User.objects.create(email=email)
        self.assertIn(email, [u.email for u in User.objects.all()])


if __name__ == "__main__":
    unittest.main()
