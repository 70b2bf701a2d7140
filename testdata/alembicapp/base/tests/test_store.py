"""The app's own test suite: it really queries the database."""
import unittest

from app import store


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.conn = store.connect()

    def tearDown(self):
        self.conn.rollback()
        self.conn.close()

    def test_add_and_list(self):
        store.add_user(self.conn, "ada@example.com")
        self.assertIn("ada@example.com", store.user_emails(self.conn))


if __name__ == "__main__":
    unittest.main()
