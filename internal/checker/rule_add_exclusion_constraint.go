package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var addExclusionConstraint = &Rule{
	ID:       "add-exclusion-constraint",
	Category: Locking, Severity: Warning,
	Summary: "adding an EXCLUDE constraint to a table that exists in production",
	Why:     "the constraint's index is built under an ACCESS EXCLUSIVE lock, and PostgreSQL has no NOT VALID or USING INDEX form for it",
	Fix:     "add it while the table is small, in a maintenance window, or enforce the rule in the application (or a trigger) instead",
	Notes:   `strong_migrations flags it (add_exclusion_constraint); squawk does not.`,
	Examples: []Example{
		{Base: "CREATE TABLE bookings (id int, during tstzrange);", SQL: "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if con := cmd.Def.GetConstraint(); cmd.Subtype == pg.AlterTableType_AT_AddConstraint && con != nil && con.Contype == pg.ConstrType_CONSTR_EXCLUSION {
				out = append(out, finding("adds EXCLUDE constraint%s to %s, building its index under ACCESS EXCLUSIVE", nameSuffix(con.Conname), q).at(c.Pos(con.Location)))
			}
		}
		return out
	},
}
