package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var addUniqueConstraint = &Rule{
	ID:       "add-unique-constraint",
	Category: Locking, Severity: Error,
	Summary: "adding a UNIQUE or PRIMARY KEY constraint to a table that exists in production without USING INDEX",
	Why:     "PostgreSQL builds the constraint's index under an ACCESS EXCLUSIVE lock that blocks all queries until the whole table is indexed",
	Fix: `1. CREATE UNIQUE INDEX CONCURRENTLY t_col_key ON t (col);  (outside a transaction)
2. ALTER TABLE t ADD CONSTRAINT t_col_key UNIQUE USING INDEX t_col_key;  (or PRIMARY KEY USING INDEX)
For a primary key, the columns must already be NOT NULL, or step 2 scans the table (see set-not-null-scan).`,
	Notes: `squawk (disallowed-unique-constraint, adding-serial-primary-key-field), strong_migrations
(add_unique_constraint) and GitLab agree. squawk suggests NOT VALID for UNIQUE, which PostgreSQL rejects;
phasegate gives the USING INDEX recipe. Tables created earlier in the same change are not flagged: no
other session can wait on them. squawk flags ADD PRIMARY KEY and ADD COLUMN ... UNIQUE on them too (it
exempts a new table only for ADD CONSTRAINT ... UNIQUE, and only inside a transaction), and it does not
recognise a table made by CREATE TABLE AS or a materialized view as new.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", Flagged: true},
		{SQL: "ALTER TABLE events ADD PRIMARY KEY (id);", Flagged: true},
		{SQL: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"},
		{SQL: "CREATE TABLE users_copy AS SELECT id FROM users;\nALTER TABLE users_copy ADD PRIMARY KEY (id);"},
	},
	Check: func(c *Context) []Finding {
		at, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			con := cmd.Def.GetConstraint()
			if cmd.Subtype == pg.AlterTableType_AT_AddConstraint && con != nil && con.Indexname == "" &&
				(con.Contype == pg.ConstrType_CONSTR_UNIQUE || con.Contype == pg.ConstrType_CONSTR_PRIMARY) {
				kind, ckind := "UNIQUE", schema.Unique
				if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
					kind, ckind = "PRIMARY KEY", schema.PrimaryKey
				}
				name := orDefault(con.Conname, c.Catalog.ConstraintName(q, ckind, namesOf(con.Keys)))
				out = append(out, finding("adds %s constraint to %s, building its index under ACCESS EXCLUSIVE", kind, q).at(c.Pos(con.Location)).
					withSteps(c.usingIndexSteps(at, q, con, name)...))
			}
			if def := cmd.Def.GetColumnDef(); cmd.Subtype == pg.AlterTableType_AT_AddColumn && def != nil {
				for _, n := range def.Constraints {
					if con := n.GetConstraint(); con != nil && (con.Contype == pg.ConstrType_CONSTR_UNIQUE || con.Contype == pg.ConstrType_CONSTR_PRIMARY) {
						ckind := schema.Unique
						if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
							ckind = schema.PrimaryKey
						}
						keyed := pg.Clone(con)
						keyed.Keys = []*pg.Node{pg.MakeStrNode(def.Colname)}
						name := orDefault(con.Conname, c.Catalog.ConstraintName(q, ckind, []string{def.Colname}))
						without := addColumnWithoutSQL(at, def, func(k *pg.Constraint) bool {
							return k.Contype == pg.ConstrType_CONSTR_UNIQUE || k.Contype == pg.ConstrType_CONSTR_PRIMARY
						})
						out = append(out, finding("adds column %s.%s with a UNIQUE or PRIMARY KEY constraint, building its index under ACCESS EXCLUSIVE", q, def.Colname).at(c.Pos(con.Location)).
							withSteps(append([]string{sqlStep("", without, "without the constraint")}, c.usingIndexSteps(at, q, keyed, name)...)...))
					}
				}
			}
		}
		return out
	},
}
