package report

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
)

// The runtime rules judge each measured statement: a lock phasegate did
// not predict is a lock-disagreement finding on its statement, at the
// rule's configured severity; a statement whose locks were not measured
// gets none.
func TestAddRuntimeJudgesMeasuredLocks(t *testing.T) {
	const path = "db/migrations/0003_comment.up.sql"
	traces := []compat.Trace{
		{Path: path, Line: 1, Locks: []compat.MeasuredLock{{Relation: "users", Mode: "ShareUpdateExclusiveLock"}}},
		{Path: path, Line: 2, Note: "runs outside a transaction: locks not measured"},
	}
	sql := "COMMENT ON TABLE users IS 'people';\nCREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n"
	for _, c := range []struct {
		name string
		opts checker.Options
		want string
	}{
		{"default", checker.Options{}, "warning"},
		{"configured", checker.Options{Severity: map[string]checker.Severity{"lock-disagreement": checker.Error}}, "error"},
		{"off", checker.Options{Severity: map[string]checker.Severity{"lock-disagreement": checker.Off}}, ""},
	} {
		r := static(t, "0003_comment.up.sql", sql)
		r.AddRuntime(runtimeResult("pass", "pass", "", nil, nil, traces), "v1.0.0", c.opts)
		var got []Finding
		for _, st := range r.Files[0].Statements {
			for _, f := range st.Findings {
				if f.Rule == "lock-disagreement" {
					got = append(got, f)
				}
			}
		}
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%s: %+v, want none", c.name, got)
		case c.want != "" && (len(got) != 1 || got[0].Severity != c.want || got[0].Message != "measured ShareUpdateExclusiveLock on users, which phasegate did not predict"):
			t.Errorf("%s: %+v, want one finding at %s", c.name, got, c.want)
		}
	}
}

// A changed function names its kind once, in the text and the comment.
func TestChangedFunctionNamesItsKindOnce(t *testing.T) {
	r := static(t, "0003_comment.up.sql", "COMMENT ON TABLE users IS 'people';\n")
	fn := compat.Change{Object: "function touch(integer)", Kind: "function", Change: "removed", Where: "db/migrations/0003_comment.up.sql:1"}
	r.AddRuntime(runtimeResult("pass", "pass", "", nil, []compat.Change{fn}, nil), "v1.0.0", checker.Options{})
	var text, md strings.Builder
	Text(&text, r, TextOptions{})
	Markdown(&md, r, mdOpts)
	for what, out := range map[string]string{"text": text.String(), "comment": md.String()} {
		if strings.Contains(out, "function function") || !strings.Contains(out, "touch(integer)") {
			t.Errorf("%s:\n%s", what, out)
		}
	}
}
