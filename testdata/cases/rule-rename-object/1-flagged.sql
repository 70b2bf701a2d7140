ALTER VIEW active_users RENAME TO live_users;
