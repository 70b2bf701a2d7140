SELECT id, legacy_flags FROM users
INSERT INTO users (email, nick, legacy_flags) VALUES ('a@example.com', 'a', 1)
SELECT count(*) FROM orders
SELECT touch_user(1)
INSERT INTO users (email, nick, mood) VALUES ('b@example.com', 'b', 'sad')
INSERT INTO users (email, nick) VALUES ('c@example.com', 'c') ON CONFLICT (email) DO NOTHING
INSERT INTO users (email) VALUES ('d@example.com')
INSERT INTO users (email, nick, age) VALUES ('e@example.com', 'e', -1)
INSERT INTO users (email, nick) VALUES ('a-much-longer-address@example.com', 'f')
