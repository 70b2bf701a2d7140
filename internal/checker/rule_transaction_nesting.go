package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/source"
)

var transactionNesting = &Rule{
	ID:       "transaction-nesting",
	Category: Other, Severity: Error,
	Summary: "BEGIN or COMMIT in a migration its tool already runs in a transaction",
	Why:     "BEGIN inside a transaction only warns, but the file's COMMIT ends the tool's transaction early: the rest of the file, and the tool's own bookkeeping, run outside it",
	Fix:     "remove BEGIN and COMMIT from the file and let the tool manage the transaction, or turn the tool's transaction off for this file",
	Notes:   `squawk flags it (transaction-nesting) when told the tool wraps files (--assume-in-transaction).`,
	Examples: []Example{
		{SQL: "BEGIN;\nBEGIN;\nCOMMIT;\nCOMMIT;", Flagged: true},
		{SQL: "BEGIN;\nALTER TABLE users ADD COLUMN nick text;\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		t := c.Node.GetTransactionStmt()
		if t == nil {
			return nil
		}
		switch t.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			if c.ExplicitTransaction() {
				return []Finding{finding("BEGIN inside a transaction the file already opened")}
			}
			if c.sess.tx == source.TxFile {
				return []Finding{finding("BEGIN in a file that %s already runs in a transaction", c.Format)}
			}
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			if !c.ExplicitTransaction() && c.sess.tx == source.TxFile {
				return []Finding{finding("COMMIT ends the transaction %s opened for the file; what follows runs outside it", c.Format)}
			}
		}
		return nil
	},
}
