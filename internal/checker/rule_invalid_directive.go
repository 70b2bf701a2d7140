package checker

import "github.com/phasegate/phasegate/internal/sqltext"

var invalidDirective = &Rule{
	ID:       "invalid-directive",
	Category: Other, Severity: Error,
	Summary: "a phasegate directive that is malformed, has no reason, names an unknown rule or precedes no statement, or a deferred migration's header the follow-up bot cannot read",
	Why:     "a directive that does not apply silently leaves the finding it was meant to explain, or hides none; a deferred migration whose header the bot cannot read is never carried",
	Fix:     "write -- phasegate:ignore RULE[,RULE] reason or -- phasegate:phase expand|contract reason on the line before the statement",
	Notes: `Every directive needs a reason: it is the review record of why the rule does not apply. The header
of a deferred migration (-- phasegate:deferred, then after, from, pr, commit: docs/split.md) is checked in
the deferred migrations a change adds or edits: an after that is not release, deployment ENV or a date
YYYY-MM-DD, a pr that is not a number, an unknown or repeated key, a phasegate:deferred line below the top
of the file. The follow-up bot refuses such a header and never carries the migration.`,
	Examples: []Example{
		{SQL: "-- phasegate:ignore drop-column\nALTER TABLE users DROP COLUMN name;", Flagged: true},
		{SQL: "-- phasegate:ignore no-such-rule because\nALTER TABLE users DROP COLUMN name;", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN nick text;\n-- phasegate:phase expand nothing follows", Flagged: true},
		{SQL: "-- phasegate:ignore drop-column the column was unused since v1.4\nALTER TABLE users DROP COLUMN name;"},
	},
	File: func(f *FileContext) []Finding {
		var out []Finding
		// An ignore directive that names no rule: it cannot apply.
		for _, u := range f.Directives {
			if u.Kind != sqltext.Ignore {
				continue
			}
			for _, id := range u.Rules {
				if Lookup(id) == nil {
					out = append(out, finding("phasegate:ignore names unknown rule %q (see docs/rules.md for the rule ids)", id).at(&u.Pos))
				}
			}
		}
		// A deferred migration's header the follow-up bot cannot read.
		if h := f.Header; h != nil {
			out = append(out, Finding{Message: h.Msg + ": the follow-up bot cannot carry this migration", Fix: h.Fix}.at(&sqltext.Position{Line: h.Line, Column: h.Col}))
		}
		// What the parser could not read as a directive, or attach to a
		// statement.
		for _, n := range f.File.Notes {
			if n.Kind == sqltext.NoteDirective {
				out = append(out, Finding{Message: n.Message}.at(&n.Pos))
			}
		}
		return out
	},
}
