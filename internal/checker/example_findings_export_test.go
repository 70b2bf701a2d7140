package checker

import "testing"

// RunExample judges the SQL of a rule's example as TestRuleExamples does
// and returns the rule's findings, for the golden test of package
// checker_test (example_findings_test.go), which also runs the history
// examples through package lint.
func RunExample(t *testing.T, r *Rule, ex Example) []Finding { return runExample(t, r, ex) }
