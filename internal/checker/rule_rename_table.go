package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var renameTable = &Rule{
	ID:       "rename-table",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER TABLE ... RENAME TO of a table that exists in production",
	Why:     "the previous release still queries the table by its old name",
	Fix: `rename in steps across releases:
1. expand: rename the table and create a view with the old name (CREATE VIEW old AS SELECT * FROM new), in one transaction; a simple view is updatable, so the previous release keeps reading and writing;
2. deploy code that uses the new name;
3. contract (deferred): DROP VIEW old.
Alternatively create the new table, write to both, backfill, switch reads, and drop the old table later.
phasegate split writes the first and the last step: the view beside the rename, and its DROP in a deferred migration.`,
	Notes: `squawk (renaming-table), strong_migrations (rename_table) and GitLab (rename_table_safely) all flag it.
squawk suggests a view with the new name first; GitLab renames and keeps a view with the old name.
phasegate recommends GitLab's order because the view then serves only the previous release.
A rename followed, in the same transaction, by a view under the old name is that first step and is not
flagged; the deferred DROP VIEW is then the contract. When a split moves the rename, the view goes with it.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users RENAME TO accounts;", Flagged: true},
		{SQL: "CREATE TABLE draft (id int);\nALTER TABLE draft RENAME TO final;"},
		{SQL: "BEGIN;\nALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		r := c.Node.GetRenameStmt()
		if r == nil || r.RenameType != pg.ObjectType_OBJECT_TABLE && r.RenameType != pg.ObjectType_OBJECT_FOREIGN_TABLE {
			return nil
		}
		q := c.Catalog.Resolve(r.Relation)
		if !c.Existing(q) {
			return nil
		}
		// The recipe's first step: a view under the old name, created in
		// the same transaction, keeps the previous release working.
		if c.LaterInTransaction(func(n *pg.Node) bool {
			v := n.GetViewStmt()
			return v != nil && c.Catalog.Resolve(v.View) == q
		}) {
			return nil
		}
		return []Finding{finding("renames table %s to %s; the previous release still uses the old name", q, r.Newname).
			withSteps(
				fmt.Sprintf("expand, in one transaction: ALTER TABLE %s RENAME TO %s; CREATE VIEW %s AS SELECT * FROM %s;  (the view keeps the old name working)", q.SQL(), ident(r.Newname), q.SQL(), ident(r.Newname)),
				fmt.Sprintf("deploy code that uses only %s;", ident(r.Newname)),
				fmt.Sprintf("contract, deferred one release (phasegate split moves it): DROP VIEW %s;", q.SQL()))}
	},
}
