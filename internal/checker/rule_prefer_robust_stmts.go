package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var preferRobustStmts = &Rule{
	ID:       "prefer-robust-stmts",
	Category: Other, Severity: Off,
	Summary: "CREATE or DROP without IF [NOT] EXISTS in a migration that does not run in a transaction",
	Why:     "when such a migration fails half way, the statements that ran stay applied; a rerun then fails on them unless they are idempotent",
	Fix:     "write CREATE ... IF NOT EXISTS and DROP ... IF EXISTS (and drop an INVALID index left by a failed CREATE INDEX CONCURRENTLY before retrying)",
	Notes:   `squawk flags it (prefer-robust-stmts) for statements outside a transaction. Off by default: turn it on with rules: {prefer-robust-stmts: info}.`,
	Examples: []Example{
		{SQL: "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);", Flagged: true},
		{SQL: "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);"},
	},
	Check: func(c *Context) []Finding {
		if c.InTransaction() {
			return nil
		}
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_IndexStmt:
			if !n.IndexStmt.IfNotExists {
				return []Finding{finding("CREATE INDEX without IF NOT EXISTS outside a transaction cannot be rerun after a failure")}
			}
		case *pg.Node_CreateStmt:
			if !n.CreateStmt.IfNotExists {
				return []Finding{finding("CREATE TABLE without IF NOT EXISTS outside a transaction cannot be rerun after a failure")}
			}
		case *pg.Node_DropStmt:
			if !n.DropStmt.MissingOk {
				return []Finding{finding("DROP without IF EXISTS outside a transaction cannot be rerun after a failure")}
			}
		}
		return nil
	},
}
