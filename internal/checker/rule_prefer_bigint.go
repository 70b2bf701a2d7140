package checker

var preferBigint = &Rule{
	ID:       "prefer-bigint",
	Category: Other, Severity: Info,
	Summary: "integer, smallint or serial columns",
	Why:     "a 32-bit id runs out at 2.1 billion, and changing the type of a large table later is a long, locking migration",
	Fix:     "use bigint (and bigint identity or bigserial for ids)",
	Notes: `squawk flags int (prefer-bigint-over-int) and smallint (prefer-bigint-over-smallint); GitLab stores
enums as smallint on purpose, so phasegate flags smallint only through this info-level rule too.`,
	Examples: []Example{
		{SQL: "CREATE TABLE t (id serial PRIMARY KEY, n integer);", Flagged: true},
		{SQL: "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		for _, col := range c.definedColumns() {
			switch col.typ.Name {
			case "int4", "int2", "serial4", "serial2":
				if !col.typ.Array {
					out = append(out, finding("%s.%s is %s; prefer bigint", col.table, col.name, col.typ).at(c.Pos(col.location)))
				}
			}
		}
		return out
	},
}
