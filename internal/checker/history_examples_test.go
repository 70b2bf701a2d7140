package checker_test

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
)

// historyDir is where the migrations of a history example live.
const historyDir = "db/migrations"

// TestHistoryRuleExamples runs the examples of the history rules as
// package change finds history facts: the example's base files committed
// on main, its change committed on a branch, and change.Check between the
// two. A flagged example must get a finding of the rule, the others none.
func TestHistoryRuleExamples(t *testing.T) {
	ran := 0
	for _, r := range checker.Rules() {
		for _, ex := range r.Examples {
			if !ex.IsHistory() {
				if r.History != nil {
					t.Errorf("rule %s: a history rule's examples are changes to migration files (Format, BaseFiles, Change)", r.ID)
				}
				continue
			}
			ran++
			got := runHistoryExample(t, r, ex)
			if ex.Flagged != (len(got) > 0) {
				t.Errorf("rule %s, %s example %+v: findings %q, want flagged = %v", r.ID, ex.Format, ex.Change, got, ex.Flagged)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no history example ran")
	}
}

// runHistoryExample returns the messages of the findings of rule r on the
// change of example ex, each after the migration it is in.
func runHistoryExample(t *testing.T, r *checker.Rule, ex checker.Example) []string {
	t.Helper()
	var got []string
	for _, f := range historyFindings(t, r, ex) {
		got = append(got, f.path+": "+f.Message)
	}
	if len(got) > 0 && !strings.Contains(strings.Join(got, "\n"), historyDir) {
		t.Errorf("rule %s: findings %q name no migration", r.ID, got)
	}
	return got
}
