package checker

import "github.com/phasegate/phasegate/internal/sqltext"

var unusedDirective = &Rule{
	ID:       "unused-directive",
	Category: Other, Severity: Warning,
	Summary: "a directive that changes nothing: an ignore for a rule that did not fire, a phase the statement already has",
	Why:     "stale directives hide future findings and mislead reviewers",
	Fix:     "remove the directive",
	Examples: []Example{
		{SQL: "-- phasegate:ignore drop-table no table is dropped\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "-- phasegate:phase expand it is additive\nALTER TABLE users ADD COLUMN nick text;", Flagged: true},
		{SQL: "-- phasegate:phase contract the column is dropped\nALTER TABLE users DROP COLUMN name;", Flagged: true},
		{SQL: "-- phasegate:ignore drop-column the column was unused since v1.4\nALTER TABLE users DROP COLUMN name;"},
		{SQL: "-- phasegate:phase expand no release reads the column since v1.4\nALTER TABLE users DROP COLUMN name;"},
	},
	File: func(f *FileContext) []Finding {
		var out []Finding
		for _, u := range f.Directives {
			switch u.Kind {
			case sqltext.Ignore:
				for _, id := range u.Rules {
					if n, known := u.Dropped[id]; known && n == 0 {
						out = append(out, finding("phasegate:ignore %s: the statement has no %s finding to ignore; remove the directive", id, id).at(&u.Pos))
					}
				}
			case sqltext.SetPhase:
				if directivePhase(u.Directive) == u.Phase {
					out = append(out, finding("phasegate:phase %s: the statement is %s already; remove the directive", u.Directive.Phase, u.Directive.Phase).at(&u.Pos))
				}
			}
		}
		return out
	},
}
