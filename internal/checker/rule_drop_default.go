package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var dropDefault = &Rule{
	ID:       "drop-default",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER COLUMN ... DROP DEFAULT on a NOT NULL column that exists in production",
	Why:     "the previous release may insert rows without the column, relying on the default; those inserts fail",
	Fix: `1. make the new release always write the column;
2. drop the default in a deferred migration one release later (phasegate split moves the statement).`,
	Notes: `Not flagged by squawk or strong_migrations. Nullable columns are not flagged: the previous release's
inserts then store NULL instead of the default, which changes data but does not fail. A NOT NULL column
added earlier in the same change to a table that exists is flagged too: adding it with a default and
dropping the default at once (what Django's AddField writes for a field with a default) leaves a
required column the previous release does not know, and its inserts fail. A default dropped and set again
in the same transaction (around a column type change) is never missing for the previous release: not
flagged.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;"},
		{SQL: "ALTER TABLE users ADD COLUMN nick text DEFAULT '' NOT NULL;\nALTER TABLE users ALTER COLUMN nick DROP DEFAULT;", Flagged: true},
		{SQL: "CREATE TABLE t (id int, nick text DEFAULT '' NOT NULL);\nALTER TABLE t ALTER COLUMN nick DROP DEFAULT;"},
		{SQL: "BEGIN;\nALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;\nALTER TABLE users ALTER COLUMN created_at SET DEFAULT now();\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if cmd.Subtype != pg.AlterTableType_AT_ColumnDefault || cmd.Def != nil {
				continue
			}
			t := c.Catalog.Tables[q]
			if !c.ExistingColumn(q, cmd.Name) {
				// A column this change adds to a table production has.
				if t == nil {
					continue
				}
				if col := t.Column(cmd.Name); col != nil && col.NotNull && col.HasDefault {
					out = append(out, finding("drops the default of NOT NULL column %s.%s, which this change adds: the column becomes required, and inserts of the previous release, which omit it, fail", q, cmd.Name).
						withSteps(
							"keep the default in this release: remove this statement (with Django, keep the default with db_default);",
							fmt.Sprintf("once the release that always writes %s has shipped, drop it in a deferred migration (phasegate split moves it): ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", cmd.Name, q.SQL(), ident(cmd.Name))))
				}
				continue
			}
			if t == nil || t.Column(cmd.Name) == nil {
				out = append(out, finding("drops the default of %s.%s; %s, so phasegate assumes the previous release relies on the default", q, cmd.Name, c.Unknown("whether the column is NOT NULL")))
				continue
			}
			if col := t.Column(cmd.Name); col.NotNull && col.HasDefault && !c.defaultAfterTransaction(q, cmd.Name) {
				out = append(out, finding("drops the default of NOT NULL column %s.%s; inserts of the previous release that omit it fail", q, cmd.Name))
			}
		}
		return out
	},
}

// defaultAfterTransaction reports whether column col of table q has a
// default again when the transaction commits.
func (c *Context) defaultAfterTransaction(q schema.QName, col string) bool {
	if !c.InTransaction() {
		return false
	}
	t := c.AfterTransaction().Tables[q]
	if t == nil {
		return false
	}
	cc := t.Column(col)
	return cc != nil && cc.HasDefault
}
