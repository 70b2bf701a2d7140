package checker_test

import (
	"context"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/lint"
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
// change of example ex.
func runHistoryExample(t *testing.T, r *checker.Rule, ex checker.Example) []string {
	t.Helper()
	repo := gittest.New(t)
	files := func(fs []checker.MigrationFile) map[string]string {
		out := map[string]string{}
		for _, f := range fs {
			out[historyDir+"/"+f.Name] = f.SQL
		}
		return out
	}
	repo.Commit("base", files(ex.BaseFiles))
	repo.Git("checkout", "-q", "-b", "change")
	repo.Commit("change", files(ex.Change))
	g, err := git.Open(repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Check(context.Background(), lint.Options{Repo: g, Base: "main", Head: "change", Dir: historyDir, Format: ex.Format})
	if err != nil {
		t.Fatalf("rule %s, %s example: %v", r.ID, ex.Format, err)
	}
	for _, e := range res.Errors {
		t.Fatalf("rule %s, %s example: %v", r.ID, ex.Format, e)
	}
	var got []string
	for _, f := range res.Files {
		for _, fd := range f.Findings {
			if fd.Rule == r {
				got = append(got, f.Migration.Path+": "+fd.Message)
			}
		}
		for _, s := range f.Statements {
			for _, fd := range s.Findings {
				if fd.Rule == r {
					got = append(got, f.Migration.Path+": "+fd.Message)
				}
			}
		}
	}
	if len(got) > 0 && !strings.Contains(strings.Join(got, "\n"), historyDir) {
		t.Errorf("rule %s: findings %q name no migration", r.ID, got)
	}
	return got
}
