package checker

var preferJsonb = &Rule{
	ID:       "prefer-jsonb",
	Category: Other, Severity: Warning,
	Summary: "json columns",
	Why:     "json has no equality operator, so SELECT DISTINCT and UNION over rows with a json column fail, and it cannot be indexed",
	Fix:     "use jsonb",
	Notes:   `strong_migrations flags it (add_column_json); GitLab too.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD COLUMN prefs json;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN prefs jsonb;"},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		for _, col := range c.definedColumns() {
			if col.typ.Name == "json" {
				out = append(out, finding("%s.%s is json; prefer jsonb", col.table, col.name).at(c.Pos(col.location)))
			}
		}
		return out
	},
}
