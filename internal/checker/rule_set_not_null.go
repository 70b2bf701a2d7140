package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var setNotNull = &Rule{
	ID:       "set-not-null",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER COLUMN ... SET NOT NULL on a column that exists in production",
	Why:     "the previous release may insert rows without the column or write NULL into it; those writes fail once the constraint holds",
	Fix: `1. expand: make the new release always write the column (and give it a default if the previous release omits it);
2. backfill NULLs in batches;
3. contract (deferred, after the release that writes it): add the constraint (see set-not-null-scan for the lock-free way).
phasegate split moves it to a deferred migration as those lock-free steps (CHECK NOT VALID, VALIDATE, SET NOT NULL).`,
	Notes: `GitLab adds NOT NULL constraints in a post-deployment migration of the release after the backfill;
squawk and strong_migrations look only at the scan it takes (see set-not-null-scan). A column that has a
default is still flagged: the previous release may write NULL explicitly. A column added earlier in the
same change to an existing table (ADD COLUMN, backfill, SET NOT NULL) is unknown to the previous release,
whose inserts leave it out: flagged when it has no default by then (it is add-required-column in three
steps), not when a default fills it.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nUPDATE users SET nick = name;\nALTER TABLE users ALTER COLUMN nick SET NOT NULL;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nUPDATE users SET nick = name;\nALTER TABLE users ALTER COLUMN nick SET DEFAULT '';\nALTER TABLE users ALTER COLUMN nick SET NOT NULL;"},
		{SQL: "CREATE TABLE t (id int, a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		t := c.Catalog.Tables[q]
		for _, cmd := range cmds {
			if cmd.Subtype != pg.AlterTableType_AT_SetNotNull {
				continue
			}
			var col *schema.Column
			if t != nil {
				col = t.Column(cmd.Name)
			}
			if col != nil && col.NotNull {
				continue // already NOT NULL: a no-op
			}
			if !c.ExistingColumn(q, cmd.Name) {
				// Added earlier in the change to an existing table: the
				// previous release's inserts leave it out, so they fail
				// unless a default fills it.
				if col == nil || col.HasDefault {
					continue
				}
				out = append(out, finding("makes %s.%s NOT NULL without a default; the previous release does not know the column, and its inserts, which leave it NULL, fail", q, cmd.Name).
					withSteps(
						fmt.Sprintf("expand, in this release: give the column a default, which the previous release's inserts get: ALTER TABLE %s ALTER COLUMN %s SET DEFAULT <value>;", q.SQL(), ident(cmd.Name)),
						fmt.Sprintf("or, without a default: defer the NOT NULL one release, until no instance of the previous release runs (phasegate split moves it): ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;", q.SQL(), ident(cmd.Name))))
				continue
			}
			out = append(out, finding("makes %s.%s NOT NULL; writes of the previous release that leave it NULL fail", q, cmd.Name))
		}
		return out
	},
}
