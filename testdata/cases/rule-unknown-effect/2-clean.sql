SELECT set_config('lock_timeout', '5s', false);
