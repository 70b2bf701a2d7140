package checker

var lockMultipleTables = &Rule{
	ID:       "lock-multiple-tables",
	Category: Locking, Severity: Warning,
	Summary: "one transaction that locks a second existing table against writes while it holds such a lock on another",
	Why:     "the transaction holds every lock until it commits: writers of both tables wait for all of it, and taking locks in a different order than the application does risks deadlocks",
	Fix:     "change one table per transaction (one migration file each, or COMMIT between them when the tool allows); for foreign keys, add them NOT VALID one per migration",
	Notes:   `GitLab asks for one foreign key per transaction and locks taken parent before child; squawk and strong_migrations have no rule.`,
	Examples: []Example{
		{SQL: "BEGIN;\nALTER TABLE users ADD COLUMN nick text;\nALTER TABLE events ADD COLUMN source text;\nCOMMIT;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE events ADD COLUMN source text;"},
	},
	Check: func(c *Context) []Finding {
		if !c.InTransaction() {
			return nil
		}
		for _, l := range c.Locks() {
			if !l.Mode.BlocksWrites() || c.sess.holds(l.Relation) {
				continue
			}
			if len(c.sess.held) > 0 { // named: the first table the transaction locked
				return []Finding{finding("locks %s while the transaction still holds a lock on %s", l.Relation, c.sess.held[0])}
			}
		}
		return nil
	},
}
