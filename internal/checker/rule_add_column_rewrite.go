package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var addColumnRewrite = &Rule{
	ID:       "add-column-rewrite",
	Category: Locking, Severity: Error,
	Summary: "ADD COLUMN of a serial, identity or stored generated column on a table that exists in production",
	Why:     "every existing row gets a value, so the table is rewritten under an ACCESS EXCLUSIVE lock that blocks all queries",
	Fix: `1. add a plain nullable column (bigint for an id);
2. create the sequence and SET DEFAULT nextval(...) (or compute the value in the application / a trigger for generated values);
3. backfill existing rows in batches;
4. later, add NOT NULL (see set-not-null-scan) or make it an identity column on a table that is already filled.`,
	Notes: `strong_migrations flags these (add_column_auto_incrementing, add_column_generated_stored); squawk
flags identity and generated columns as adding-field-with-default, and serial ones only through its style
rule prefer-identity. squawk also flags them on a table made earlier in the same file by CREATE TABLE AS,
which phasegate knows is new (no other session can use it before the migration ends).`,
	Examples: []Example{
		{SQL: "ALTER TABLE events ADD COLUMN seq bigserial;", Flagged: true},
		{SQL: "ALTER TABLE events ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;", Flagged: true},
		{SQL: "CREATE TABLE t (id bigserial PRIMARY KEY);"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			def := cmd.Def.GetColumnDef()
			if cmd.Subtype != pg.AlterTableType_AT_AddColumn || def == nil || !isRewritingColumn(def) {
				continue
			}
			_, why := c.addColumnRewrites(def)
			out = append(out, finding("adds %s.%s: %s, rewriting the table", q, def.Colname, why).at(c.Pos(def.Location)))
		}
		return out
	},
}
