package checker_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/lint"
)

// rulesDir holds one golden file per rule: what phasegate says of each of
// the rule's flagged examples.
const rulesDir = "../../testdata/rules"

func init() {
	// The flag may come from another test file of the package's test
	// binary; package checker's own test files are initialised first.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

// updating reports whether go test runs with -update.
func updating() bool { return flag.Lookup("update").Value.String() == "true" }

// TestRuleExampleFindings pins what each rule says of its flagged
// examples: the severity, the message and the fix (and the edit, when the
// rule gives one), in testdata/rules/<rule>.txt. TestRuleExamples only
// checks that an example is flagged; this test fails when the words a
// user reads change. go test ./internal/checker -run
// TestRuleExampleFindings -update rewrites the files; review the diff.
func TestRuleExampleFindings(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range checker.Rules() {
		name := r.ID + ".txt"
		seen[name] = true
		t.Run(r.ID, func(t *testing.T) {
			got := exampleFindings(t, r)
			path := filepath.Join(rulesDir, name)
			if updating() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./internal/checker -run TestRuleExampleFindings -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("what rule %s says of its examples differs from testdata/rules/%s (go test ./internal/checker -run TestRuleExampleFindings -update rewrites it):\n%s", r.ID, name, udiff.Unified("testdata/rules/"+name, "got", string(want), got))
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join(rulesDir, "*.txt"))
	for _, f := range files {
		if seen[filepath.Base(f)] {
			continue
		}
		if updating() {
			os.Remove(f)
			continue
		}
		t.Errorf("testdata/rules/%s is the golden file of no rule (-update removes it)", filepath.Base(f))
	}
}

// exampleFindings writes the findings of every flagged example of r.
func exampleFindings(t *testing.T, r *checker.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: what phasegate says of the rule's flagged examples.\n", r.ID)
	b.WriteString("# go test ./internal/checker -run TestRuleExampleFindings -update rewrites this file.\n")
	for i, ex := range r.Examples {
		if !ex.Flagged {
			continue
		}
		fmt.Fprintf(&b, "\n== example %d", i+1)
		if ex.Version != 0 {
			fmt.Fprintf(&b, " (PostgreSQL %d)", ex.Version)
		}
		b.WriteString(" ==\n")
		var found []finding
		if ex.IsHistory() {
			fmt.Fprintf(&b, "%s, base:\n", ex.Format)
			writeMigrations(&b, ex.BaseFiles)
			b.WriteString("change:\n")
			writeMigrations(&b, ex.Change)
			found = historyFindings(t, r, ex)
		} else {
			if ex.Base != "" {
				b.WriteString("base:\n" + indent(ex.Base, "  ") + "\n")
			}
			b.WriteString("sql:\n" + indent(ex.SQL, "  ") + "\n")
			if ex.Measured != nil {
				b.WriteString("measured:" + measured(ex.Measured) + "\n")
			}
			for _, f := range checker.RunExample(t, r, ex) {
				found = append(found, finding{Finding: f})
			}
		}
		if len(found) == 0 {
			t.Errorf("rule %s: example %d is flagged but gets no finding", r.ID, i+1)
		}
		for _, f := range found {
			b.WriteString("-> ")
			if f.path != "" {
				b.WriteString(f.path + ": ")
			}
			if f.Pos != nil {
				fmt.Fprintf(&b, "%d:%d: ", f.Pos.Line, f.Pos.Column)
			}
			fmt.Fprintf(&b, "%s: %s\n", f.Severity, f.Message)
			b.WriteString("   fix:\n" + indent(f.Fix, "     ") + "\n")
			if e := f.Edit; e != nil {
				fmt.Fprintf(&b, "   edit of lines %d-%d:\n%s\n   into:\n%s\n", e.Line, e.EndLine, indent(e.Old, "     "), indent(e.New, "     "))
			}
		}
	}
	return b.String()
}

// finding is a finding of an example, with the migration it is in for a
// history example.
type finding struct {
	checker.Finding
	path string
}

// historyFindings runs a history example as TestHistoryRuleExamples does
// (its base files on main, its change on a branch, lint.Check between the
// two) and returns the findings of rule r.
func historyFindings(t *testing.T, r *checker.Rule, ex checker.Example) []finding {
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
	var out []finding
	for _, f := range res.Files {
		var all []checker.Finding
		all = append(all, f.Findings...)
		for _, s := range f.Statements {
			all = append(all, s.Findings...)
		}
		for _, fd := range all {
			if fd.Rule == r {
				out = append(out, finding{fd, f.Migration.Path})
			}
		}
	}
	return out
}

// measured writes the locks a runtime example measured.
func measured(locks []checker.MeasuredLock) string {
	if len(locks) == 0 {
		return " no lock"
	}
	var b strings.Builder
	for _, l := range locks {
		b.WriteString(" " + l.Relation)
		if l.Mode != "" {
			b.WriteString(" " + l.Mode)
		}
		if l.Rewrote {
			b.WriteString(" (rewritten)")
		}
	}
	return b.String()
}

// writeMigrations writes the files of a history example: a file without
// SQL is one the change deletes.
func writeMigrations(b *strings.Builder, files []checker.MigrationFile) {
	for _, f := range files {
		if f.SQL == "" {
			fmt.Fprintf(b, "  %s (deleted)\n", f.Name)
			continue
		}
		fmt.Fprintf(b, "  %s:\n%s\n", f.Name, indent(f.SQL, "    "))
	}
}

// indent prefixes every line of s, without its final newline, with
// prefix.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
