package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

var dropDefault = register(&Rule{
	ID:       "drop-default",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER COLUMN ... DROP DEFAULT on a NOT NULL column that exists in production",
	Why:     "the previous release may insert rows without the column, relying on the default; those inserts fail",
	Fix:     "make the new release always write the column, and drop the default in a deferred migration one release later",
	Notes: `Not flagged by squawk or strong_migrations. Nullable columns are not flagged: the previous release's
inserts then store NULL instead of the default, which changes data but does not fail.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if cmd.Subtype != pg.AlterTableType_AT_ColumnDefault || cmd.Def != nil || !c.ExistingColumn(q, cmd.Name) {
				continue
			}
			t := c.Catalog.Tables[q]
			if t == nil || t.Column(cmd.Name) == nil {
				out = append(out, finding("drops the default of %s.%s; %s, so phasegate assumes the previous release relies on the default", q, cmd.Name, c.Unknown("whether the column is NOT NULL")))
				continue
			}
			if col := t.Column(cmd.Name); col.NotNull && col.HasDefault {
				out = append(out, finding("drops the default of NOT NULL column %s.%s; inserts of the previous release that omit it fail", q, cmd.Name))
			}
		}
		return out
	},
})
