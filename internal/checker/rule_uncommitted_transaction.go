package checker

import "github.com/phasegate/phasegate/internal/source"

var uncommittedTransaction = &Rule{
	ID:       "uncommitted-transaction",
	Category: Other, Severity: Error,
	Summary: "BEGIN without a matching COMMIT by the end of the file",
	Why:     "the migration's changes are rolled back (or left in an open transaction holding its locks) when the connection ends",
	Fix:     "end the transaction with COMMIT at the end of the file",
	Notes:   `squawk flags it (ban-uncommitted-transaction).`,
	Examples: []Example{
		{SQL: "BEGIN;\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "BEGIN;\nALTER TABLE users ADD COLUMN nick text;\nCOMMIT;"},
	},
	File: func(f *FileContext) []Finding {
		// A tool that wraps the file in a transaction (TxFile) commits it
		// at the end, BEGIN included (transaction-nesting reports that).
		if st := f.sess; st.explicitTx && st.inTx && st.tx == source.TxNone {
			pos := st.beginPos
			return []Finding{finding("BEGIN without COMMIT: the transaction is still open at the end of the file").at(&pos)}
		}
		return nil
	},
}
