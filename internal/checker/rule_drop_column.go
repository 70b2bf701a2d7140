package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var dropColumn = &Rule{
	ID:       "drop-column",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER TABLE ... DROP COLUMN of a column that exists in production",
	Why:     "the previous release still selects, inserts or updates the column; its queries fail as soon as the column is gone",
	Fix: `1. in this release, stop reading and writing the column (with an ORM, also tell it to ignore the column: Rails ignored_columns, SQLAlchemy deferred/exclude, Django SeparateDatabaseAndState);
2. drop it in a deferred migration one release later.
phasegate split moves the statement (a column NOT NULL without a default first accepts NULL, since the new code no longer writes it); it refuses while the new code still mentions the column.`,
	Notes: `All three references agree: squawk ban-drop-column, strong_migrations remove_column, GitLab
"dropping columns" (ignore_column first, then a post-deployment migration). Columns added earlier in
the same change, and columns of tables it created, are not flagged: the previous release never used them
(squawk flags them). Neither is DROP COLUMN IF EXISTS of a column the replayed history says the table no
longer has: PostgreSQL skips it.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users DROP COLUMN name;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users DROP COLUMN nick;"},
		{SQL: "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;"},
		{Base: "CREATE TABLE t (id int, a int);", SQL: "ALTER TABLE t DROP COLUMN IF EXISTS b;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if cmd.Subtype != pg.AlterTableType_AT_DropColumn || !c.ExistingColumn(q, cmd.Name) {
				continue
			}
			msg := fmt.Sprintf("drops column %s.%s, which the previous release may still read or write", q, cmd.Name)
			if cmd.Behavior == pg.DropBehavior_DROP_CASCADE {
				msg += "; CASCADE also drops what depends on it"
			}
			out = append(out, finding("%s", msg))
		}
		return out
	},
}
