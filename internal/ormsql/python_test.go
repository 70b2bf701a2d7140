package ormsql

import (
	"context"
	"strings"
	"testing"
)

// Python's ast says where a revision's assignments, docstring and
// functions are, in bytes even after non-ASCII text, which statements are
// op.* calls of their own, and what op.execute runs, in blocks too.
func TestReadPython(t *testing.T) {
	needPython(t, "ast")
	src := "\"\"\"Caf\u00e9 r\u00e9vision\n\nRevises: 0001\n\"\"\"\nfrom alembic import op\n\nrevision = \"0002\"  # \u00e9\ndown_revision: str | None = (\n    \"0001\",\n)\n\n\ndef upgrade():\n    op.drop_column(\"users\", \"n\u00e9\")\n    with op.batch_alter_table(\"t\"):\n        op.execute(\"SELECT 0\")\n    op.execute(\n        \"SELECT 1\"\n    ); x = 1\n"
	m, err := ReadPython(context.Background(), testPython, "v/0002.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	text := func(s Span) string {
		start, end, err := s.Offsets([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return src[start:end]
	}
	if m.Docstring == nil || !strings.HasPrefix(text(*m.Docstring), "\"\"\"Caf\u00e9") {
		t.Errorf("docstring %+v", m.Docstring)
	}
	rev, ok := m.Assign("revision")
	if !ok || rev.Text == nil || *rev.Text != "0002" || text(rev.Value) != `"0002"` {
		t.Errorf("revision %+v", rev)
	}
	down, ok := m.Assign("down_revision")
	if !ok || down.Text != nil || text(down.Value) != "(\n    \"0001\",\n)" {
		t.Errorf("down_revision %+v", down)
	}
	up, ok := m.Function("upgrade")
	if !ok || up.Line != 13 || len(up.Body) != 4 {
		t.Fatalf("upgrade %+v", up)
	}
	var got []string
	for _, s := range up.Body {
		got = append(got, strings.Fields(text(s.Span))[0])
		if op := strings.HasPrefix(text(s.Span), "op."); s.OpCall != op || s.Block != strings.HasPrefix(text(s.Span), "with") {
			t.Errorf("%q: op_call %v, block %v", text(s.Span), s.OpCall, s.Block)
		}
	}
	if strings.Join(got, " ") != "op.drop_column(\"users\", with op.execute( x" {
		t.Errorf("body %q", got)
	}
	if strings.Join(up.Executes, "|") != "SELECT 0|SELECT 1" {
		t.Errorf("executes %q", up.Executes)
	}
}

// Source that is not Python is an error at its line and column.
func TestReadPythonSyntaxError(t *testing.T) {
	needPython(t, "ast")
	_, err := ReadPython(context.Background(), testPython, "v/0002.py", []byte("def upgrade(:\n    pass\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "v/0002.py:1:") || !strings.Contains(err.Error(), "not valid Python") {
		t.Errorf("err = %v", err)
	}
}
