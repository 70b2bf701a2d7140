package checker

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
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
