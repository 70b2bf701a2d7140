package checker

import "github.com/phasegate/phasegate/internal/source"

// ExampleBase is the production schema rule examples run against, for the
// tests of package checker_test.
const ExampleBase = exampleBase

// EditCase is a case of TestEdits, for the PostgreSQL test of package
// checker_test.
type EditCase struct {
	Name, Format string
	Tx           source.TxMode
	SQL, Rule    string
	HasEdit      bool
}

// EditCases returns the cases of TestEdits.
func EditCases() []EditCase {
	var out []EditCase
	for _, c := range editCases {
		out = append(out, EditCase{c.name, c.format, c.tx, c.sql, c.rule, c.want != ""})
	}
	return out
}

// ApplyEdit applies an edit to a file's text.
var ApplyEdit = applyEdit
