package checker

var lockTable = &Rule{
	ID:       "lock-table",
	Category: Locking, Severity: Warning,
	Summary: "explicit LOCK TABLE",
	Why:     "an explicit lock is held until the transaction ends; in ACCESS EXCLUSIVE mode (the default) it blocks every query on the table",
	Fix:     "take the weakest mode that protects the change, set a lock_timeout first, and keep the transaction short",
	Notes:   `Not flagged by squawk or strong_migrations.`,
	Examples: []Example{
		{SQL: "BEGIN;\nLOCK TABLE users;\nCOMMIT;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		l := c.Node.GetLockStmt()
		if l == nil {
			return nil
		}
		for _, lk := range c.Locks() {
			return []Finding{finding("locks %s in %s mode until the transaction ends", lk.Relation, lk.Mode)}
		}
		return nil
	},
}
