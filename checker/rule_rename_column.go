package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

var renameColumn = register(&Rule{
	ID:       "rename-column",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER TABLE ... RENAME COLUMN of a column that exists in production",
	Why:     "the previous release still reads and writes the column by its old name",
	Fix: `rename in steps across releases:
1. expand: add the new column; keep both in sync (a trigger, or the application writing both);
2. backfill the new column in batches;
3. deploy code that reads and writes only the new column;
4. contract (deferred): drop the old column.`,
	Notes: `All three references flag it (squawk renaming-column, strong_migrations rename_column, GitLab
rename_column_concurrently + cleanup_concurrent_column_rename).`,
	Examples: []Example{
		{SQL: "ALTER TABLE users RENAME COLUMN name TO full_name;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users RENAME COLUMN nick TO handle;"},
	},
	Check: func(c *Context) []Finding {
		r := c.Node.GetRenameStmt()
		if r == nil || r.RenameType != pg.ObjectType_OBJECT_COLUMN {
			return nil
		}
		q := c.Catalog.Resolve(r.Relation)
		if !c.Existing(q) || !c.ExistingColumn(q, r.Subname) {
			return nil
		}
		return []Finding{finding("renames column %s.%s to %s; the previous release still uses the old name", q, r.Subname, r.Newname).
			withFix("expand: ALTER TABLE %s ADD COLUMN %s ...; keep %s and %s in sync (trigger or dual writes); backfill in batches — deploy code that uses only %s — contract, deferred: ALTER TABLE %s DROP COLUMN %s;",
				q, ident(r.Newname), ident(r.Subname), ident(r.Newname), ident(r.Newname), q, ident(r.Subname))}
	},
})
