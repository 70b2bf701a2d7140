package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
)

var dropUnique = register(&Rule{
	ID:       "drop-unique",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "dropping a unique or primary key constraint, or a unique index, that exists in production",
	Why:     "the previous release may rely on it: INSERT ... ON CONFLICT (col) fails without a matching unique index, and code that assumes one row per key starts seeing several",
	Fix:     "stop relying on the uniqueness (ON CONFLICT targets, lookups that expect one row) in this release and drop it in a deferred migration",
	Notes: `Not flagged by squawk, strong_migrations or GitLab, which look at locks only; phasegate flags it
because a missing ON CONFLICT arbiter is a hard error in the previous release. Dropping a plain index is
a performance question and is not a contract.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users DROP CONSTRAINT users_pkey;", Flagged: true},
		{Base: "CREATE TABLE t (id int, code text);\nCREATE UNIQUE INDEX t_code_key ON t (code);", SQL: "DROP INDEX CONCURRENTLY t_code_key;", Flagged: true},
		{SQL: "DROP INDEX CONCURRENTLY users_email_idx;"},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		if at, cmds, q := c.AlterExisting(); at != nil {
			t := c.Catalog.Tables[q]
			for _, cmd := range cmds {
				if cmd.Subtype != pg.AlterTableType_AT_DropConstraint || t == nil {
					continue
				}
				con := t.Constraints[cmd.Name]
				if con == nil || con.Origin.New || con.Kind != schema.Unique && con.Kind != schema.PrimaryKey {
					continue
				}
				out = append(out, finding("drops %s constraint %s of %s; the previous release may rely on it (ON CONFLICT, one row per key)", con.Kind, cmd.Name, q))
			}
		}
		if d := c.Node.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX {
			for _, obj := range d.Objects {
				q := c.Catalog.ResolveNames(objectNames(obj))
				if ix := c.Catalog.Indexes[q]; ix != nil && ix.Unique && !ix.Origin.New && c.Existing(ix.Table) {
					out = append(out, finding("drops unique index %s of %s; the previous release may rely on it (ON CONFLICT, one row per key)", q, ix.Table))
				}
			}
		}
		return out
	},
})
