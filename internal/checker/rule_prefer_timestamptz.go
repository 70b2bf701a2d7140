package checker

var preferTimestamptz = &Rule{
	ID:       "prefer-timestamptz",
	Category: Other, Severity: Info,
	Summary: "timestamp (without time zone) columns",
	Why:     "timestamp stores wall-clock time with no zone, so values written by servers or sessions in different zones cannot be compared",
	Fix:     "use timestamptz",
	Notes:   `squawk flags it (prefer-timestamptz); GitLab too.`,
	Examples: []Example{
		{SQL: "CREATE TABLE t (at timestamp);", Flagged: true},
		{SQL: "CREATE TABLE t (at timestamptz);"},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		for _, col := range c.definedColumns() {
			if col.typ.Name == "timestamp" {
				out = append(out, finding("%s.%s is %s; prefer timestamptz", col.table, col.name, col.typ).at(c.Pos(col.location)))
			}
		}
		return out
	},
}
