package checker

var missingStatementTimeout = &Rule{
	ID:       "missing-statement-timeout",
	Category: Locking, Severity: Off,
	Summary: "a statement that locks an existing table against writes, with no statement_timeout set before it",
	Why:     "a statement that runs longer than expected (a scan, a rewrite) keeps its lock for as long as it runs; a statement_timeout bounds the damage",
	Fix: `1. set a statement_timeout at the top of the migration, sized for the slowest expected statement: SET statement_timeout = '15min';
2. if the migration fails with "canceling statement due to statement timeout", find the statement that ran long before running it again.`,
	Notes: `squawk flags it by default (require-statement-timeout); strong_migrations sets it itself (1 hour).
phasegate has it off by default (turn it on with rules: {missing-statement-timeout: warning}): lock_timeout
(missing-lock-timeout) prevents the queueing outage, this one only bounds the run time. SET LOCAL, 0 and RESET count as
they do for missing-lock-timeout, and so does the one finding per transaction.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "SET statement_timeout = '15min';\nALTER TABLE users ADD COLUMN nick text;"},
	},
	File: func(f *FileContext) []Finding {
		// One finding per transaction: it names the other statements of
		// its group.
		f.sess.stmtGroups.describe(f.rule, f.Result)
		return nil
	},
	Check: func(c *Context) []Finding {
		if c.sess.statementTimeout {
			return nil
		}
		for _, l := range c.Locks() {
			if l.Mode.BlocksWrites() {
				why := ""
				if u := c.sess.stmtT.unset; u != "" {
					why = " (" + u + ")"
				}
				if !c.ignores("missing-statement-timeout") && !c.sess.stmtGroups.add(c.sess.inTransaction(), c.sess.fileLine(c.Stmt.Pos.Line)) {
					return nil // the finding on the first statement of its transaction stands for it
				}
				return []Finding{finding("takes %s on %s without a statement_timeout%s", l.Mode, l.Relation, why).
					withFix("%s", timeoutFix(c, "statement_timeout", "'15min'")).withEdit(c.timeoutEdit("statement_timeout", "'15min'"))}
			}
		}
		return nil
	},
}
