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
inserts then store NULL instead of the default, which changes data but does not fail. A NOT NULL column
added earlier in the same change to a table that exists is flagged too: adding it with a default and
dropping the default at once (what Django's AddField writes for a field with a default) leaves a
required column the previous release does not know, and its inserts fail.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;"},
		{SQL: "ALTER TABLE users ADD COLUMN nick text DEFAULT '' NOT NULL;\nALTER TABLE users ALTER COLUMN nick DROP DEFAULT;", Flagged: true},
		{SQL: "CREATE TABLE t (id int, nick text DEFAULT '' NOT NULL);\nALTER TABLE t ALTER COLUMN nick DROP DEFAULT;"},
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
						withFix("keep the default until the release that writes %s has shipped, and drop it in a deferred migration (with Django: drop the default in a later migration, or keep it with db_default)", ident(cmd.Name)))
				}
				continue
			}
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
