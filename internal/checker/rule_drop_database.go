package checker

var dropDatabase = &Rule{
	ID:       "drop-database",
	Category: Other, Severity: Error,
	Summary: "DROP DATABASE",
	Why:     "it deletes a whole database; no migration should",
	Fix:     "drop databases by hand, outside the application's migrations",
	Notes:   `squawk flags it (ban-drop-database).`,
	Examples: []Example{
		{SQL: "DROP DATABASE legacy;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		if d := c.Node.GetDropdbStmt(); d != nil {
			return []Finding{finding("drops database %s with all its data, in every environment the migrations run in (production too), and no down migration brings it back", d.Dbname)}
		}
		return nil
	},
}
