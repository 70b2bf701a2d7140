package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var addRequiredColumn = &Rule{
	ID:       "add-required-column",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ADD COLUMN ... NOT NULL without a default on a table that exists in production",
	Why:     "the previous release inserts rows without the new column, which now fail; on a table with rows the statement itself fails",
	Fix: `1. expand: add the column nullable (or NOT NULL with a constant default, which needs no rewrite since PostgreSQL 11);
2. deploy code that writes it; backfill existing rows in batches;
3. contract (deferred): SET NOT NULL (see set-not-null-scan) and drop the default if it was only a bridge.
phasegate split writes steps 1 and 3: the column added nullable now, and NOT NULL through a validated CHECK in a deferred migration.`,
	Notes: `squawk flags it as adding-required-field; GitLab as a column that must be added with a default or nullable.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;"},
		{SQL: "ALTER TABLE users ADD COLUMN tenant_id bigint;"},
		{SQL: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NULL;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			def := cmd.Def.GetColumnDef()
			if cmd.Subtype != pg.AlterTableType_AT_AddColumn || def == nil {
				continue
			}
			notNull, hasDefault := def.IsNotNull, def.RawDefault != nil || schema.TypeOf(def.TypeName).IsSerial()
			for _, n := range def.Constraints {
				con := n.GetConstraint()
				if con == nil {
					continue
				}
				switch con.Contype {
				case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_PRIMARY:
					notNull = true
				case pg.ConstrType_CONSTR_DEFAULT, pg.ConstrType_CONSTR_IDENTITY, pg.ConstrType_CONSTR_GENERATED:
					hasDefault = true
				}
			}
			if notNull && !hasDefault {
				out = append(out, finding("adds %s.%s NOT NULL without a default; inserts of the previous release omit it and fail", q, def.Colname).at(c.Pos(def.Location)))
			}
		}
		return out
	},
}
