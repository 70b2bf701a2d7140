-- Written by phasegate split from db/migrations/0002_release2.up.sql: backfill full name.
-- It runs outside a transaction, right after that migration and before the deploy.
DO $phasegate$
DECLARE
  last_page bigint := pg_relation_size('users') / current_setting('block_size')::bigint;
  first_page bigint := 0;
BEGIN
  -- Written by phasegate split: a batched backfill, 1,000 pages per
  -- transaction; it must run outside a transaction block.
  WHILE first_page <= last_page LOOP
    -- The table's own triggers (an updated_at) must not fire for a copy:
    -- session_replication_role = replica skips them, for this batch, where
    -- the role may set it (a superuser).
    BEGIN
      PERFORM set_config('session_replication_role', 'replica', true);
    EXCEPTION WHEN insufficient_privilege THEN
      NULL;
    END;
    UPDATE users SET full_name = name
      WHERE ctid >= format('(%s,0)', first_page)::tid AND ctid < format('(%s,0)', first_page + 1000)::tid
        AND full_name::text IS DISTINCT FROM name::text;
    COMMIT;
    first_page := first_page + 1000;
  END LOOP;
END
$phasegate$;
