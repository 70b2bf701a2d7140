package checker

import "github.com/phasegate/phasegate/sqltext"

// Rules about the migration history itself, not the SQL: the change
// package, which compares the base and head revisions, reports them with
// Checker.Flag.

var editedMigration = register(&Rule{
	ID:       "edited-migration",
	Category: Other, Severity: Error,
	Summary: "a change to a migration that already exists on the base branch",
	Why:     "databases that already applied the migration never run it again, so production and fresh databases end up with different schemas",
	Fix:     "restore the file and put the change in a new migration",
	Notes: `phasegate judges only the statements that changed in the edited file, and reports the edit itself with this rule.
A Liquibase changelog that only gains changesets at its end is not edited (that is how Liquibase is used),
and an ORM migration edited without changing the SQL it runs (a comment, its downgrade) is not either.`,
})

var outOfOrderMigration = register(&Rule{
	ID:       "out-of-order-migration",
	Category: Other, Severity: Error,
	Summary: "a new migration whose version sorts before a migration that already exists",
	Why:     "golang-migrate never applies it on a database that is past that version, goose and Flyway refuse to run (unless allow-missing / outOfOrder is on)",
	Fix:     "rename the file so its version is the newest (a fresh timestamp, or the next number)",
})

var removedMigration = register(&Rule{
	ID:       "removed-migration",
	Category: Other, Severity: Warning,
	Summary: "a migration that exists on the base branch is deleted or renamed",
	Why:     "databases that applied it still record its version: golang-migrate and sqitch then fail to start (no migration found for version N)",
	Fix:     "keep applied migrations; squash only with a new baseline your tool supports",
})

// Flag returns a finding of the rule with the given id at its configured
// severity, for checks made outside the rules (the change package's
// history checks). A finding of a disabled rule has severity Off.
func (c *Checker) Flag(id, file, msg string, pos *sqltext.Position) Finding {
	r := Lookup(id)
	if r == nil {
		panic("checker: Flag of unknown rule " + id)
	}
	return r.complete(Finding{Message: msg, Pos: pos}, c.severity(r, file))
}
