package checker

var cluster = register(&Rule{
	ID:       "cluster",
	Category: Locking, Severity: Error,
	Summary: "CLUSTER",
	Why:     "CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock that blocks all queries until it ends",
	Fix:     "reorder online with pg_repack --order-by outside the migration, or accept the lock in a maintenance window",
	Notes:   `Not flagged by squawk or strong_migrations.`,
	Examples: []Example{
		{SQL: "CLUSTER users USING users_email_idx;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		if cl := c.Node.GetClusterStmt(); cl != nil {
			if cl.Relation != nil && !c.Existing(c.Catalog.Resolve(cl.Relation)) {
				return nil
			}
			return []Finding{finding("CLUSTER rewrites the table under ACCESS EXCLUSIVE")}
		}
		return nil
	},
})
