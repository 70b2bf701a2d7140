package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var dropTable = &Rule{
	ID:       "drop-table",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "DROP TABLE of a table that exists in production",
	Why:     "the previous release still reads and writes the table; its queries fail from the moment the migration runs until the last old instance stops",
	Fix: `1. stop using the table in this release;
2. drop it in a deferred migration one release later.
phasegate split moves the statement; it refuses while the new code still mentions the table.`,
	Notes: `squawk flags every DROP TABLE (ban-drop-table); strong_migrations does not flag it;
GitLab drops tables only in post-deployment migrations after the code stopped using them.
phasegate follows GitLab: the statement is a contract, allowed once it is deferred.
Tables created earlier in the same change (also by CREATE TABLE AS, such as a scratch copy dropped
at the end of the migration) are not flagged; squawk flags them.`,
	Examples: []Example{
		{SQL: "DROP TABLE events;", Flagged: true},
		{SQL: "CREATE TABLE tmp (id int);\nDROP TABLE tmp;"},
		{SQL: "DROP TABLE IF EXISTS never_created_here;", Flagged: true},
		{SQL: "CREATE TABLE users_copy AS SELECT * FROM users;\nDROP TABLE users_copy;"},
	},
	Check: func(c *Context) []Finding {
		d := c.Node.GetDropStmt()
		if d == nil || d.RemoveType != pg.ObjectType_OBJECT_TABLE && d.RemoveType != pg.ObjectType_OBJECT_FOREIGN_TABLE {
			return nil
		}
		var out []Finding
		for _, obj := range d.Objects {
			q := c.Catalog.ResolveNames(objectNames(obj))
			if !c.Existing(q) {
				continue
			}
			if c.Catalog.Table(q) == nil {
				// No migration phasegate replayed creates it: most likely
				// it does not exist (IF EXISTS), and then nothing uses it.
				out = append(out, finding("drops table %s, which no replayed migration creates: most likely nothing uses it, but if it was created outside the migrations, the previous release may still use it", q).
					withSteps("if the table never existed in production, remove the statement;",
						"otherwise (it was created outside the migrations), stop using it in this release;",
						"drop it in a deferred migration one release later (phasegate split moves the statement)."))
				continue
			}
			msg := "drops table " + q.String() + ", which the previous release may still use"
			if views := c.Catalog.ViewsReading(q); len(views) > 0 && d.Behavior == pg.DropBehavior_DROP_CASCADE {
				msg += "; CASCADE also drops view " + joinNames(views)
			}
			out = append(out, finding("%s", msg))
		}
		return out
	},
}
