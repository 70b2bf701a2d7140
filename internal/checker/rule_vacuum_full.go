package checker

var vacuumFull = register(&Rule{
	ID:       "vacuum-full",
	Category: Locking, Severity: Error,
	Summary: "VACUUM FULL",
	Why:     "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock that blocks all queries until it ends",
	Fix:     "use plain VACUUM (no lock against reads or writes), or reclaim space online with pg_repack / pg_squeeze outside the migration",
	Notes:   `Not flagged by squawk (before its PG 19 prefer-repack) or strong_migrations. VACUUM cannot run in a transaction either (see concurrently-in-transaction).`,
	Examples: []Example{
		{SQL: "VACUUM FULL users;", Flagged: true},
		{SQL: "VACUUM (FULL, ANALYZE) users;", Flagged: true},
		{SQL: "VACUUM ANALYZE users;"},
	},
	Check: func(c *Context) []Finding {
		v := c.Node.GetVacuumStmt()
		if v == nil || !v.IsVacuumcmd || !hasOption(v.Options, "full") {
			return nil
		}
		return []Finding{finding("VACUUM FULL rewrites the table under ACCESS EXCLUSIVE")}
	},
})
