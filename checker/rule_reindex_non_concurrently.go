package checker

var reindexNonConcurrently = register(&Rule{
	ID:       "reindex-non-concurrently",
	Category: Locking, Severity: Warning,
	Summary: "REINDEX without CONCURRENTLY",
	Why:     "REINDEX blocks writes to the table, and reads that use the index, until the index is rebuilt",
	Fix: `PostgreSQL 12+: REINDEX ... CONCURRENTLY, outside a transaction.
Before 12: CREATE INDEX CONCURRENTLY a replacement, DROP INDEX CONCURRENTLY the old one, and rename.`,
	Notes: `squawk flags it (require-concurrent-reindex) regardless of version, although CONCURRENTLY
exists only since PostgreSQL 12; phasegate gives the recipe that works on the target version.`,
	Examples: []Example{
		{SQL: "REINDEX INDEX users_email_idx;", Flagged: true},
		{SQL: "REINDEX INDEX CONCURRENTLY users_email_idx;"},
		{SQL: "REINDEX TABLE users;", Flagged: true, Version: 11},
	},
	Check: func(c *Context) []Finding {
		r := c.Node.GetReindexStmt()
		if r == nil || hasOption(r.Params, "concurrently") {
			return nil
		}
		f := finding("REINDEX without CONCURRENTLY blocks writes until the index is rebuilt")
		if c.Version < 12 {
			f = f.withFix("PostgreSQL %d has no REINDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY a replacement, DROP INDEX CONCURRENTLY the old one, then rename the new one", c.Version)
		}
		return []Finding{f}
	},
})
