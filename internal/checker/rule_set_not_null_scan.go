package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"
	"github.com/phasegate/phasegate/internal/schema"
)

var setNotNullScan = &Rule{
	ID:       "set-not-null-scan",
	Category: Locking, Severity: Error,
	Summary: "SET NOT NULL on an existing column without a validated CHECK (col IS NOT NULL)",
	Why:     "PostgreSQL scans the whole table to prove there is no NULL while it holds an ACCESS EXCLUSIVE lock that blocks all queries",
	Fix: `PostgreSQL 12+:
1. ALTER TABLE t ADD CONSTRAINT t_col_not_null CHECK (col IS NOT NULL) NOT VALID;
2. in a later migration: ALTER TABLE t VALIDATE CONSTRAINT t_col_not_null;  (scans without blocking writes)
3. ALTER TABLE t ALTER COLUMN col SET NOT NULL;  (skips the scan: the constraint proves it)
4. ALTER TABLE t DROP CONSTRAINT t_col_not_null;
Before PostgreSQL 12 the scan cannot be avoided; keep the CHECK constraint instead of SET NOT NULL.`,
	Notes: `squawk (adding-not-nullable-field) and strong_migrations (change_column_null) give the recipe above;
GitLab keeps the CHECK constraint and never runs SET NOT NULL. phasegate looks for the validated CHECK in
the replayed history and in earlier statements of the change. The scan reads the table, not the column:
a column added earlier in the same change (ADD COLUMN, backfill, SET NOT NULL) is scanned for like any
other, so it is flagged when the table exists (measured on PostgreSQL 15, 3M rows: 265 ms under ACCESS
EXCLUSIVE; ADD COLUMN ... NOT NULL DEFAULT 0 in one command skips the scan). A table created earlier in
the same change is not flagged (squawk flags it, also on tables made by CREATE TABLE AS), nor is SET NOT
NULL of a column that is NOT NULL already, which PostgreSQL skips (0.4 ms against 199 ms for the first
SET NOT NULL on the same 3M rows).`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nUPDATE users SET nick = name;\nALTER TABLE users ALTER COLUMN nick SET NOT NULL;", Flagged: true},
		{SQL: "CREATE TABLE t (id int, a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"},
		{Base: "CREATE TABLE users (id int, name text);\nALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT name_nn;",
			SQL: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;"},
		{Base: "CREATE TABLE users (id int, name text);\nALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL);",
			SQL: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", Flagged: true, Version: 11},
		{Base: "CREATE TABLE t (id int NOT NULL);", SQL: "ALTER TABLE t ALTER COLUMN id SET NOT NULL;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		t := c.Catalog.Tables[q]
		for _, cmd := range cmds {
			// The table exists (AlterExisting): the scan happens whether
			// or not the column is new.
			if cmd.Subtype != pg.AlterTableType_AT_SetNotNull {
				continue
			}
			if t != nil {
				if col := t.Column(cmd.Name); col != nil && col.NotNull {
					continue
				}
				if c.Version >= 12 && t.HasValidatedNotNullCheck(cmd.Name) {
					continue
				}
			}
			tq, col, name := q.SQL(), ident(cmd.Name), ident(schema.TruncateIdentifier(q.Name+"_"+cmd.Name+"_not_null"))
			check := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;  (a brief lock, checks new rows only)", tq, name, col)
			validate := fmt.Sprintf("in a later migration (its own transaction): ALTER TABLE %s VALIDATE CONSTRAINT %s;  (scans without blocking reads or writes)", tq, name)
			f := finding("SET NOT NULL on %s.%s scans the table under ACCESS EXCLUSIVE", q, cmd.Name).withSteps(check, validate,
				fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;  (no scan: the constraint proves it)", tq, col),
				fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s;", tq, name))
			if c.Version < 12 {
				f = f.withSteps(check, validate).withNote(fmt.Sprintf("PostgreSQL %d always scans for SET NOT NULL: keep the validated CHECK constraint instead of SET NOT NULL.", c.Version))
			}
			out = append(out, f)
		}
		return out
	},
}
