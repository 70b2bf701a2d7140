package checker

var uncommittedTransaction = register(&Rule{
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
})
