package checker

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var addColumnVolatileDefault = &Rule{
	ID:       "add-column-volatile-default",
	Category: Locking, Severity: Error,
	Summary: "ADD COLUMN with a volatile default (any non-null default before PostgreSQL 11) on a table that exists in production",
	Why:     "the default is computed and written into every existing row, rewriting the table under an ACCESS EXCLUSIVE lock that blocks all queries",
	Fix: `1. add the column without a default (or with a constant one);
2. SET DEFAULT the volatile expression, which applies to new rows only;
3. backfill existing rows in batches, outside the migration's transaction.`,
	Notes: `squawk (adding-field-with-default) and strong_migrations (add_column_default) agree. Since
PostgreSQL 11 a constant or stable default (now(), 'x', 0) is stored once and needs no rewrite;
phasegate uses the configured postgres.version. A function phasegate does not know counts as volatile.
Serial, identity and stored generated columns are add-column-rewrite. squawk reads a negative number
(DEFAULT -1) as an expression rather than a constant and flags it; PostgreSQL folds it to a constant and
does not rewrite (checked on PostgreSQL 15: the table keeps its relfilenode).`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;"},
		{SQL: "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;", Flagged: true, Version: 10},
		{SQL: "ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT now();"},
		{SQL: "ALTER TABLE users ADD COLUMN height integer NOT NULL DEFAULT -1;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			def := cmd.Def.GetColumnDef()
			if cmd.Subtype != pg.AlterTableType_AT_AddColumn || def == nil || isRewritingColumn(def) {
				continue
			}
			if rewrite, why := c.addColumnRewrites(def); rewrite {
				out = append(out, finding("adds %s.%s with a default that rewrites the table: %s", q, def.Colname, strings.TrimSuffix(why, ".")).at(c.Pos(def.Location)))
			}
		}
		return out
	},
}

// isRewritingColumn reports whether a column definition is serial,
// identity or stored generated: add-column-rewrite covers those.
func isRewritingColumn(def *pg.ColumnDef) bool {
	name := ""
	if def.TypeName != nil {
		names := namesOf(def.TypeName.Names)
		if len(names) > 0 {
			name = names[len(names)-1]
		}
	}
	switch name {
	case "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2":
		return true
	}
	for _, n := range def.Constraints {
		if con := n.GetConstraint(); con != nil && (con.Contype == pg.ConstrType_CONSTR_IDENTITY || con.Contype == pg.ConstrType_CONSTR_GENERATED) {
			return true
		}
	}
	return false
}
