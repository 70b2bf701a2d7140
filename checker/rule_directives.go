package checker

var invalidDirective = register(&Rule{
	ID:       "invalid-directive",
	Category: Other, Severity: Error,
	Summary: "a phasegate directive that is malformed, has no reason, names an unknown rule or precedes no statement",
	Why:     "a directive that does not apply silently leaves the finding it was meant to explain, or hides none",
	Fix:     "write -- phasegate:ignore RULE[,RULE] reason or -- phasegate:phase expand|contract reason on the line before the statement",
	Notes:   `Every directive needs a reason: it is the review record of why the rule does not apply.`,
	Examples: []Example{
		{SQL: "-- phasegate:ignore drop-column\nALTER TABLE users DROP COLUMN name;", Flagged: true},
		{SQL: "-- phasegate:ignore no-such-rule because\nALTER TABLE users DROP COLUMN name;", Flagged: true},
		{SQL: "-- phasegate:ignore drop-column the column was unused since v1.4\nALTER TABLE users DROP COLUMN name;"},
	},
})

var unusedDirective = register(&Rule{
	ID:       "unused-directive",
	Category: Other, Severity: Warning,
	Summary: "a directive that changes nothing: an ignore for a rule that did not fire, a phase the statement already has",
	Why:     "stale directives hide future findings and mislead reviewers",
	Fix:     "remove the directive",
	Examples: []Example{
		{SQL: "-- phasegate:ignore drop-table no table is dropped\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "-- phasegate:phase expand it is additive\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
	},
})

var psqlMetaCommand = register(&Rule{
	ID:       "psql-meta-command",
	Category: Other, Severity: Info,
	Summary: "a psql meta-command (\\set, \\connect, \\i ...) in a migration",
	Why:     "only psql understands meta-commands; a migration tool that sends the file to the server fails on them",
	Fix:     "remove the meta-command unless the migrations are run with psql (sqitch, plain psql -f)",
	Examples: []Example{
		{SQL: "\\set ON_ERROR_STOP on\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
	},
})

var emptyMigration = register(&Rule{
	ID:       "empty-migration",
	Category: Other, Severity: Info,
	Summary: "a migration file with no SQL statement",
	Why:     "an empty migration is usually a file whose content was forgotten; some tools (Diesel) refuse to run it",
	Fix:     "add the migration's statements or delete the file",
	Examples: []Example{
		{SQL: "-- nothing to do yet\n", Flagged: true},
	},
})
