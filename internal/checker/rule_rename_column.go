package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var renameColumn = &Rule{
	ID:       "rename-column",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER TABLE ... RENAME COLUMN of a column that exists in production",
	Why:     "the previous release still reads and writes the column by its old name",
	Fix: `rename in steps across releases:
1. expand: add the new column; keep both in sync (a trigger, or the application writing both);
2. backfill the new column in batches;
3. deploy code that reads and writes only the new column;
4. contract (deferred): drop the old column.
phasegate split writes these steps: the new column with the old one's type, default and constraints, a trigger that keeps both equal, a batched backfill and concurrent index builds right after the migration, and the contract in a deferred migration.`,
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
		typ := "<type>"
		if t := c.Catalog.Tables[q]; t != nil {
			if col := t.Column(r.Subname); col != nil && col.Type.Name != "" {
				typ = col.Type.String()
			}
		}
		from, to := ident(r.Subname), ident(r.Newname)
		return []Finding{finding("renames column %s.%s to %s; the previous release still uses the old name", q, r.Subname, r.Newname).withSteps(
			fmt.Sprintf("expand, in this release: ALTER TABLE %s ADD COLUMN %s %s;", q.SQL(), to, typ),
			fmt.Sprintf("keep %s and %s in sync (a trigger, or code that writes both), and backfill %s from %s in batches;", from, to, to, from),
			fmt.Sprintf("deploy code that reads and writes only %s;", to),
			fmt.Sprintf("contract, deferred one release (phasegate split moves it): ALTER TABLE %s DROP COLUMN %s;", q.SQL(), from))}
	},
}
