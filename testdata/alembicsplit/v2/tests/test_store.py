"""Release 2's own test suite: it really writes and reads the database."""
import unittest

from app import store


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.engine = store.engine()
        self.conn = self.engine.connect()
        self.tx = self.conn.begin()

    def tearDown(self):
        self.tx.rollback()
        self.conn.close()
        self.engine.dispose()

    def test_users(self):
        user = store.create_user(self.conn, "ada@example.com", "Ada", "pro")
        store.rename_user(self.conn, user, "Ada L.")
        self.assertEqual(store.get_user(self.conn, user), {"email": "ada@example.com", "full_name": "Ada L.", "plan": "pro"})

    def test_memos(self):
        user = store.create_user(self.conn, "grace@example.com", "Grace", "free")
        store.add_memo(self.conn, user, "hello")
        self.assertEqual(store.count_memos(self.conn, user), 1)


if __name__ == "__main__":
    unittest.main()
