package checker

var addEnumValueInTransaction = register(&Rule{
	ID:       "add-enum-value-in-transaction",
	Category: Other, Severity: Error,
	Summary: "ALTER TYPE ... ADD VALUE inside a transaction block before PostgreSQL 12",
	Why:     "before PostgreSQL 12, ADD VALUE cannot run inside a transaction block, so the migration fails",
	Fix:     "run the statement outside a transaction (see concurrently-in-transaction for each tool), or target PostgreSQL 12+ where it is allowed (the new value is usable only after commit)",
	Notes:   `strong_migrations handles this in its Rails adapter; squawk has no rule.`,
	Examples: []Example{
		{SQL: "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;", Flagged: true, Version: 11},
		{SQL: "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		a := c.Node.GetAlterEnumStmt()
		if a == nil || a.OldVal != "" || c.Version >= 12 || !c.InTransaction() {
			return nil
		}
		q := c.Catalog.ResolveNames(namesOf(a.TypeName))
		if t := c.Catalog.Types[q]; t != nil && t.Origin.New {
			return nil
		}
		f := finding("ALTER TYPE %s ADD VALUE cannot run in a transaction block on PostgreSQL %d (%s)", q, c.Version, c.txReason())
		if fix := c.noTxFix(); fix != "" {
			f = f.withFix("%s", fix)
		}
		return []Finding{f}
	},
})
