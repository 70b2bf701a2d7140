package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

var setNotNull = register(&Rule{
	ID:       "set-not-null",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER COLUMN ... SET NOT NULL on a column that exists in production",
	Why:     "the previous release may insert rows without the column or write NULL into it; those writes fail once the constraint holds",
	Fix: `1. expand: make the new release always write the column (and give it a default if the previous release omits it);
2. backfill NULLs in batches;
3. contract (deferred, after the release that writes it): add the constraint (see set-not-null-scan for the lock-free way).`,
	Notes: `GitLab adds NOT NULL constraints in a post-deployment migration of the release after the backfill;
squawk and strong_migrations look only at the scan it takes (see set-not-null-scan). A column that has a
default is still flagged: the previous release may write NULL explicitly.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users ALTER COLUMN nick SET NOT NULL;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if cmd.Subtype != pg.AlterTableType_AT_SetNotNull || !c.ExistingColumn(q, cmd.Name) {
				continue
			}
			if t := c.Catalog.Tables[q]; t != nil {
				if col := t.Column(cmd.Name); col != nil && col.NotNull {
					continue // already NOT NULL: a no-op
				}
			}
			out = append(out, finding("makes %s.%s NOT NULL; writes of the previous release that leave it NULL fail", q, cmd.Name))
		}
		return out
	},
})
