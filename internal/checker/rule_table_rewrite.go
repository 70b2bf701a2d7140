package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var tableRewrite = &Rule{
	ID:       "table-rewrite",
	Category: Locking, Severity: Error,
	Summary: "ALTER TABLE ... SET LOGGED / SET UNLOGGED / SET TABLESPACE / SET ACCESS METHOD on a table that exists in production",
	Why:     "the table is copied in full under an ACCESS EXCLUSIVE lock that blocks all queries until it ends",
	Fix: `1. create a new table with the wanted property;
2. copy the rows in batches while the code writes to both;
3. switch the code to the new table;
4. drop the old table in a deferred migration.
Or accept the lock in a maintenance window.`,
	Notes: `Not flagged by squawk or strong_migrations.`,
	Examples: []Example{
		{SQL: "ALTER TABLE events SET LOGGED;", Flagged: true},
		{SQL: "ALTER TABLE events SET TABLESPACE fast_ssd;", Flagged: true},
		{SQL: "CREATE UNLOGGED TABLE t (id int);\nALTER TABLE t SET LOGGED;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			what := ""
			switch cmd.Subtype {
			case pg.AlterTableType_AT_SetLogged:
				what = "SET LOGGED"
			case pg.AlterTableType_AT_SetUnLogged:
				what = "SET UNLOGGED"
			case pg.AlterTableType_AT_SetTableSpace:
				what = "SET TABLESPACE"
			case pg.AlterTableType_AT_SetAccessMethod:
				what = "SET ACCESS METHOD"
			default:
				continue
			}
			out = append(out, finding("%s copies all of %s under ACCESS EXCLUSIVE", what, q))
		}
		return out
	},
}
