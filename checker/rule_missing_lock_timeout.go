package checker

var missingLockTimeout = register(&Rule{
	ID:       "missing-lock-timeout",
	Category: Locking, Severity: Warning,
	Summary: "a statement that needs a lock blocking reads or writes on an existing table, with no lock_timeout set before it",
	Why:     "while the statement waits for its lock behind a long query, every other query on the table queues behind it: a short ALTER becomes an outage",
	Fix: `set a lock_timeout at the top of the migration (SET lock_timeout = '5s'; or SET LOCAL inside the transaction) and retry the migration when it times out.
If your migration tool or database role already sets it, say so in the config (postgres.lock_timeout_set: true).`,
	Notes: `squawk flags this by default (require-lock-timeout, and require-statement-timeout); strong_migrations
sets lock_timeout itself; GitLab retries with lock timeouts (with_lock_retries). phasegate counts
SET lock_timeout and set_config('lock_timeout', ...) earlier in the same file (in a DO block, earlier in the block too).
SET LOCAL (set_config(..., true)) counts only inside a transaction block (the tool's, a BEGIN, or the DO block's own),
and only until that transaction ends; 0 disables the timeout, and RESET or SET ... TO DEFAULT go back to what the tool
or role sets. Locks on tables created in the change and locks that block neither reads nor writes (SHARE UPDATE EXCLUSIVE) do not count.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;"},
		{SQL: "SELECT set_config('lock_timeout', '5s', false);\nALTER TABLE users ADD COLUMN nick text;"},
		{SQL: "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\nCOMMIT;"},
		{SQL: "SET LOCAL lock_timeout = '5s'; -- outside a transaction block: no effect\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "SET lock_timeout = 0; -- disables it\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN nick text;"},
		{SQL: "CREATE TABLE memberships (user_id bigint REFERENCES users (id));", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		if c.LockTimeoutSet() {
			return nil
		}
		for _, l := range c.Locks() {
			if l.Mode == RowExclusive || !l.Mode.BlocksWrites() {
				continue
			}
			blocks := "writes"
			if l.Mode.BlocksReads() {
				blocks = "reads and writes"
			}
			why := ""
			if u := c.sess.lockT.unset; u != "" {
				why = " (" + u + ")"
			}
			return []Finding{finding("takes %s on %s (blocks %s) without a lock_timeout%s", l.Mode, l.Relation, blocks, why).
				withFix("put SET lock_timeout = '5s'; before this statement (or configure postgres.lock_timeout_set if the tool sets it)")}
		}
		return nil
	},
})
