package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var backfillWithDDL = &Rule{
	ID:       "backfill-with-ddl",
	Category: Locking, Severity: Error,
	Summary: "UPDATE, DELETE or INSERT ... SELECT on a table that DDL earlier in the same transaction altered",
	Why:     "the ALTER's ACCESS EXCLUSIVE lock is held until the transaction commits, so every query on the table waits for the whole backfill",
	Fix: `1. commit the schema change first: a migration file of its own;
2. backfill afterwards, in batches, outside that transaction.`,
	Notes: `strong_migrations calls this out ("backfilling in the same transaction that alters a table"); squawk does not.`,
	Examples: []Example{
		{SQL: "BEGIN;\nALTER TABLE users ADD COLUMN tier text;\nUPDATE users SET tier = 'free';\nCOMMIT;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN tier text;\nUPDATE users SET tier = 'free';"},
	},
	Check: func(c *Context) []Finding {
		if !c.InTransaction() {
			return nil
		}
		var rel *pg.RangeVar
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_UpdateStmt:
			rel = n.UpdateStmt.Relation
		case *pg.Node_DeleteStmt:
			rel = n.DeleteStmt.Relation
		case *pg.Node_InsertStmt:
			if n.InsertStmt.SelectStmt.GetSelectStmt().GetValuesLists() != nil {
				return nil
			}
			rel = n.InsertStmt.Relation
		default:
			return nil
		}
		q := c.Catalog.Resolve(rel)
		if !c.Existing(q) || !c.AlteredInTransaction(q) {
			return nil
		}
		return []Finding{finding("changes rows of %s in the transaction whose DDL locked it; all queries on %s wait until it commits", q, q)}
	},
}
