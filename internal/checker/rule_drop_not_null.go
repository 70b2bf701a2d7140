package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var dropNotNull = &Rule{
	ID:       "drop-not-null",
	Category: Compatibility, Phase: Expand, Severity: Info,
	Summary: "ALTER COLUMN ... DROP NOT NULL (advisory)",
	Why:     "the statement itself is safe before the deploy, but once the new release writes NULLs the previous release may read a NULL it does not expect",
	Fix:     "make sure the previous release reads the column as nullable before the new release writes NULL into it",
	Notes: `squawk bans it (ban-drop-not-null); GitLab calls it safe for a regular (pre-deployment) migration.
phasegate agrees with GitLab on the phase (expand) and keeps squawk's warning as advice.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if cmd.Subtype == pg.AlterTableType_AT_DropNotNull && c.ExistingColumn(q, cmd.Name) {
				out = append(out, finding("makes %s.%s nullable; the previous release may not expect NULL in it", q, cmd.Name))
			}
		}
		return out
	},
}
