package checker

var refreshMatviewNonConcurrently = &Rule{
	ID:       "refresh-matview-non-concurrently",
	Category: Locking, Severity: Warning,
	Summary: "REFRESH MATERIALIZED VIEW without CONCURRENTLY on a view that exists in production",
	Why:     "the refresh holds an ACCESS EXCLUSIVE lock, so every read of the view waits until it is recomputed",
	Fix:     "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view; allows reads meanwhile), ideally outside the migration",
	Notes:   `Not flagged by squawk or strong_migrations.`,
	Examples: []Example{
		{SQL: "REFRESH MATERIALIZED VIEW user_stats;", Flagged: true},
		{SQL: "REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats;"},
	},
	Check: func(c *Context) []Finding {
		r := c.Node.GetRefreshMatViewStmt()
		if r == nil || r.Concurrent {
			return nil
		}
		q := c.Catalog.Resolve(r.Relation)
		if !c.Existing(q) || r.SkipData {
			return nil
		}
		return []Finding{finding("refreshes %s without CONCURRENTLY; reads of it wait until the refresh ends", q)}
	},
}
