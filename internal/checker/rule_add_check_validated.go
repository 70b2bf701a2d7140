package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var addCheckValidated = &Rule{
	ID:       "add-check-validated",
	Category: Locking, Severity: Error,
	Summary: "adding a CHECK constraint without NOT VALID to a table that exists in production",
	Why:     "validating the constraint scans the whole table under an ACCESS EXCLUSIVE lock that blocks all queries",
	Fix: `1. ALTER TABLE t ADD CONSTRAINT t_check CHECK (...) NOT VALID;  (brief lock, checks new rows only)
2. in a separate transaction (a later migration file): ALTER TABLE t VALIDATE CONSTRAINT t_check;  (scans under SHARE UPDATE EXCLUSIVE, which allows reads and writes)`,
	Notes: `squawk (constraint-missing-not-valid), strong_migrations (add_check_constraint) and GitLab agree.
A CHECK on a column added in the same statement still scans (the column's default may violate it), so
it is flagged too; squawk does not flag that form (measured on PostgreSQL 15, 3M rows: ADD COLUMN c text
CHECK (c <> '') takes 290 ms under ACCESS EXCLUSIVE, against 0.2 ms without the CHECK). squawk flags
constraints on tables made earlier in the same file by CREATE TABLE AS, which phasegate knows are new.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email));", Flagged: true},
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;"},
		{SQL: "CREATE TABLE t (a int CHECK (a > 0));"},
		{SQL: "ALTER TABLE users ADD COLUMN nick text CHECK (nick <> '');", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		at, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			con := cmd.Def.GetConstraint()
			if cmd.Subtype == pg.AlterTableType_AT_AddConstraint && con != nil && con.Contype == pg.ConstrType_CONSTR_CHECK && !con.SkipValidation {
				name := orDefault(con.Conname, c.Catalog.ConstraintName(q, schema.Check, exprColumns(con.RawExpr)))
				out = append(out, finding("adds CHECK constraint%s to %s without NOT VALID; the validation scan holds ACCESS EXCLUSIVE", nameSuffix(con.Conname), q).
					at(c.Pos(con.Location)).withSteps(notValidSteps(at, con, name, "")...).withEdit(c.notValidEdit(at, con, name)))
			}
			if def := cmd.Def.GetColumnDef(); cmd.Subtype == pg.AlterTableType_AT_AddColumn && def != nil {
				for _, n := range def.Constraints {
					if con := n.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_CHECK {
						name := orDefault(con.Conname, c.Catalog.ConstraintName(q, schema.Check, []string{def.Colname}))
						without := addColumnWithoutSQL(at, def, func(k *pg.Constraint) bool { return k.Contype == pg.ConstrType_CONSTR_CHECK })
						out = append(out, finding("adds column %s.%s with a CHECK constraint, validated by a scan under ACCESS EXCLUSIVE", q, def.Colname).at(c.Pos(con.Location)).
							withSteps(append([]string{sqlStep("", without, "without the CHECK")}, notValidSteps(at, con, name, "")...)...).
							withEdit(c.splitColumnEdit(at, without, con, name, "")))
					}
				}
			}
		}
		return out
	},
}
