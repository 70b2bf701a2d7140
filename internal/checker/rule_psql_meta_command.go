package checker

import "github.com/phasegate/phasegate/internal/sqltext"

var psqlMetaCommand = &Rule{
	ID:       "psql-meta-command",
	Category: Other, Severity: Info,
	Summary: "a psql meta-command (\\set, \\connect, \\i ...) in a migration",
	Why:     "only psql understands meta-commands; a migration tool that sends the file to the server fails on them",
	Fix:     "remove the meta-command unless the migrations are run with psql (sqitch, plain psql -f)",
	Examples: []Example{
		{SQL: "\\set ON_ERROR_STOP on\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "-- \\set in a comment\nALTER TABLE users ADD COLUMN nick text;"},
	},
	File: func(f *FileContext) []Finding {
		var out []Finding
		// The parser notes the meta-commands it skips.
		for _, n := range f.File.Notes {
			if n.Kind == sqltext.NoteMetaCommand {
				out = append(out, Finding{Message: n.Message}.at(&n.Pos))
			}
		}
		return out
	},
}
