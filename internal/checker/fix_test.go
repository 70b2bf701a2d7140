package checker

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// proseSteps finds steps written as prose ("X; then Y", "A — B") where a
// fix should number them.
var proseSteps = regexp.MustCompile(`(?i)[;,:]? then\b|\bafterwards\b| — `)

var numbered = regexp.MustCompile(`^\d+\. `)

// prose reports a line of fix that is not a numbered step but reads as
// several.
func prose(fix string) bool {
	for _, l := range strings.Split(fix, "\n") {
		if !numbered.MatchString(l) && proseSteps.MatchString(l) {
			return true
		}
	}
	return false
}

// TestFixesAreNumberedStepsWithRealNames: the fix a finding prints names
// the statement's own table, columns and constraint (no "(...)" or
// "<name>" where the statement says what they are), and a fix of several
// steps numbers them, one per line; rule-level fixes write steps as
// numbered lines too, never as "X; then Y".
func TestFixesAreNumberedStepsWithRealNames(t *testing.T) {
	specific := 0
	for _, r := range Rules() {
		if prose(r.Fix) {
			t.Errorf("rule %s: the fix writes its steps as prose; number them:\n%s", r.ID, r.Fix)
		}
		for _, ex := range r.Examples {
			if !ex.Flagged {
				continue
			}
			for _, f := range runExample(t, r, ex) {
				if f.Fix == r.Fix || strings.HasPrefix(f.Fix, "one fix for this constraint") {
					continue
				}
				specific++
				where := r.ID + " on " + strings.ReplaceAll(ex.SQL, "\n", " ")
				if strings.Contains(f.Fix, "(...)") || strings.Contains(f.Fix, "<name>") || prose(f.Fix) {
					t.Errorf("%s: the fix has placeholders or prose steps:\n%s", where, f.Fix)
				}
				lines := strings.Split(f.Fix, "\n")
				if len(lines) == 1 {
					continue
				}
				n := 0
				for _, l := range lines {
					if strings.HasPrefix(l, strconv.Itoa(n+1)+". ") {
						n++
					} else if n < 2 || !(strings.HasPrefix(l, "If ") || strings.HasPrefix(l, "PostgreSQL ")) {
						t.Errorf("%s: line %q of the fix is not step %d (nor a closing note):\n%s", where, l, n+1, f.Fix)
					}
				}
			}
		}
	}
	if specific < 20 {
		t.Errorf("only %d findings with a fix of their own: the test sees too little", specific)
	}
}

// A contract statement already in a deferred migration is where its fix
// put it: the finding is information, and its fix says nothing is left to
// do, never to split or defer it again.
func TestDeferredContractHasNothingLeftToDo(t *testing.T) {
	f, err := sqltext.Parse([]byte("ALTER TABLE users DROP COLUMN name;"), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := New(replay(t, exampleBase), Options{}).File(Input{Migration: source.Migration{Path: "db/deferred/0003_contract.up.sql", Format: "golang-migrate"}, Tx: source.TxNone, File: f, Deferred: true})
	var got []Finding
	for _, fd := range res.Statements[0].Findings {
		if fd.Rule.ID == "drop-column" {
			got = append(got, fd)
		}
	}
	if len(got) != 1 || got[0].Severity != Info || got[0].Edit != nil ||
		!strings.HasPrefix(got[0].Fix, "nothing to do now") || strings.Contains(got[0].Fix, "split") {
		t.Errorf("findings = %+v", got)
	}
}

// The follow-up's own pull request applies the contract: its fix says to
// merge once the runtime check passes, never to split it again.
func TestFollowupContractSaysMerge(t *testing.T) {
	f, err := sqltext.Parse([]byte("ALTER TABLE users DROP COLUMN name;"), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := New(replay(t, exampleBase), Options{}).File(Input{Migration: source.Migration{Path: "db/migrations/0004_contract.up.sql", Format: "golang-migrate"}, Tx: source.TxNone, File: f, Followup: true})
	found := 0
	for _, fd := range res.Statements[0].Findings {
		if fd.Rule.ID == "drop-column" {
			found++
			if fd.Severity != Warning || !strings.HasPrefix(fd.Fix, "nothing to change: merge") || strings.Contains(fd.Fix, "split") {
				t.Errorf("finding = %+v", fd)
			}
		}
	}
	if found != 1 {
		t.Errorf("%d drop-column findings, want 1", found)
	}
}
