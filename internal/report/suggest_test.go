package report

import (
	"strings"
	"testing"
)

// TestSuggestions: the edits of an added file become one suggestion per
// line range, the more severe finding's where two overlap; other files'
// edits do not.
func TestSuggestions(t *testing.T) {
	r := static(t, "0003_index.sql", "CREATE INDEX users_name_idx ON users (name);\n")
	if len(r.Files) != 1 || len(r.Files[0].Statements[0].Findings) != 2 {
		t.Fatalf("findings: %+v", r.Files)
	}
	if got := Suggestions(r); len(got) != 0 {
		t.Errorf("a file of unknown status: %+v", got)
	}
	r.Files[0].Status = "added"
	got := Suggestions(r)
	if len(got) != 1 {
		t.Fatalf("suggestions: %+v", got)
	}
	s := got[0]
	if s.Path != "db/migrations/0003_index.sql" || s.Line != 1 || s.EndLine != 1 || s.Rule != "create-index-non-concurrently" ||
		s.Old != "CREATE INDEX users_name_idx ON users (name);" ||
		!strings.Contains(s.Body, "```suggestion\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);\n```") ||
		!strings.HasPrefix(s.Body, "⛔ **`create-index-non-concurrently`** (error): creates an index on users") {
		t.Errorf("suggestion %+v", s)
	}
	// A suggestion holding backticks gets a longer fence.
	fd := r.Files[0].Statements[0].Findings[0]
	fd.Edit = &Edit{Line: 1, EndLine: 1, New: "SELECT '```';"}
	if b := suggestionBody(fd); !strings.Contains(b, "````suggestion\nSELECT '```';\n````") {
		t.Errorf("fence:\n%s", b)
	}
}
