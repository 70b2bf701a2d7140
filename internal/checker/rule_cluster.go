package checker

var cluster = &Rule{
	ID:       "cluster",
	Category: Locking, Severity: Error,
	Summary: "CLUSTER",
	Why:     "CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock that blocks all queries until it ends",
	Fix:     "reorder online with pg_repack --order-by outside the migration, or accept the lock in a maintenance window",
	Notes:   `Not flagged by squawk or strong_migrations.`,
	Examples: []Example{
		{SQL: "CLUSTER users USING users_email_idx;", Flagged: true},
		{SQL: "CLUSTER users;", Flagged: true},
		{SQL: "CREATE TABLE t (a int);\nCLUSTER t;"},
	},
	Check: func(c *Context) []Finding {
		if cl := c.Node.GetClusterStmt(); cl != nil {
			if cl.Relation != nil && !c.Existing(c.Catalog.Resolve(cl.Relation)) {
				return nil
			}
			if cl.Relation == nil {
				return []Finding{finding("CLUSTER without a table rewrites every table of the database that was clustered before, each under ACCESS EXCLUSIVE, which blocks all queries on it until its rewrite ends")}
			}
			order := "the index it was last clustered on"
			if cl.Indexname != "" {
				order = "index " + cl.Indexname
			}
			return []Finding{finding("CLUSTER rewrites table %[1]s (in the order of %[2]s) under ACCESS EXCLUSIVE, which blocks all queries on %[1]s until the rewrite ends", c.Catalog.Resolve(cl.Relation), order)}
		}
		return nil
	},
}
