package checker

var preferText = &Rule{
	ID:       "prefer-text",
	Category: Other, Severity: Info,
	Summary: "varchar(n) and char(n) columns",
	Why:     "raising a varchar limit is cheap, but lowering it rewrites the table; char(n) pads values with spaces that compare in surprising ways",
	Fix:     "use text, with a CHECK (char_length(col) <= n) constraint when a limit matters (added NOT VALID and validated, it can change without a rewrite)",
	Notes:   `squawk flags both (prefer-text-field, ban-char-field); GitLab asks for text with a limit constraint.`,
	Examples: []Example{
		{SQL: "CREATE TABLE t (code varchar(20), flag char(1));", Flagged: true},
		{SQL: "CREATE TABLE t (code text CHECK (char_length(code) <= 20));"},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		for _, col := range c.definedColumns() {
			if (col.typ.Name == "varchar" && len(col.typ.Mods) > 0) || col.typ.Name == "bpchar" {
				out = append(out, finding("%s.%s is %s; prefer text with a CHECK constraint", col.table, col.name, col.typ).at(c.Pos(col.location)))
			}
		}
		return out
	},
}
