package sqltext

import (
	"errors"
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string, opts Options) *File {
	t.Helper()
	f, err := Parse([]byte(src), opts)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f
}

func TestStatementsAndPositions(t *testing.T) {
	src := "-- header\nCREATE TABLE t (id int);\n\n/* block */ ALTER TABLE t\n  ADD COLUMN é int;\nSELECT 'ü', 1"
	f := mustParse(t, src, Options{})
	want := []struct {
		text        string
		line, col   int
		eline, ecol int
	}{
		{"CREATE TABLE t (id int)", 2, 1, 2, 23},
		{"ALTER TABLE t\n  ADD COLUMN é int", 4, 13, 5, 18},
		{"SELECT 'ü', 1", 6, 1, 6, 13},
	}
	if len(f.Statements) != len(want) {
		t.Fatalf("got %d statements, want %d", len(f.Statements), len(want))
	}
	for i, w := range want {
		s := f.Statements[i]
		if s.Text != w.text || s.Pos.Line != w.line || s.Pos.Column != w.col || s.EndPos.Line != w.eline || s.EndPos.Column != w.ecol {
			t.Errorf("statement %d = %q at %v-%v, want %q at %d:%d-%d:%d", i, s.Text, s.Pos, s.EndPos, w.text, w.line, w.col, w.eline, w.ecol)
		}
		if s.Node == nil {
			t.Errorf("statement %d has no parse tree", i)
		}
	}
}

func TestCRLFAndBOM(t *testing.T) {
	src := "\xEF\xBB\xBFCREATE TABLE a (id int);\r\n\r\nDROP TABLE b;\r\n"
	f := mustParse(t, src, Options{})
	if got := f.Statements[0].Pos; got.Line != 1 || got.Column != 1 {
		t.Errorf("first statement at %v, want 1:1 (the BOM is not a column)", got)
	}
	if got := f.Statements[1].Pos; got.Line != 3 || got.Column != 1 {
		t.Errorf("second statement at %v, want 3:1", got)
	}
	if f.Statements[1].Text != "DROP TABLE b" {
		t.Errorf("text %q", f.Statements[1].Text)
	}
}

func TestEmptyAndCommentOnly(t *testing.T) {
	for _, src := range []string{"", "   \n\n", "-- nothing here\n/* nor here */\n", ";;\n;"} {
		f := mustParse(t, src, Options{})
		if len(f.Statements) != 0 {
			t.Errorf("%q: %d statements, want 0", src, len(f.Statements))
		}
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	src := "SELECT 'ünïcode';\nCREATE TABLE x (id int);\nALTER TABLE x ADD COLUMN y int int;\n"
	_, err := Parse([]byte(src), Options{})
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if pe.Pos.Line != 3 || pe.Pos.Column != 32 || !strings.Contains(pe.Message, "syntax error") {
		t.Errorf("got %v %q, want 3:32 syntax error", pe.Pos, pe.Message)
	}
}

func TestEncodingErrors(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"SELECT 1;\nSELECT 'caf\xe9';", 2, 12, "invalid UTF-8"},
		{"SELECT 1;\x00", 1, 10, "NUL byte"},
		{"\xFF\xFEs\x00", 1, 1, "UTF-16"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.src), Options{})
		var pe *Error
		if !errors.As(err, &pe) || pe.Pos.Line != c.line || pe.Pos.Column != c.col || !strings.Contains(pe.Message, c.msg) {
			t.Errorf("%q: got %v, want %d:%d %s", c.src, err, c.line, c.col, c.msg)
		}
	}
}

func TestMetaCommandsAreSkippedWithNote(t *testing.T) {
	src := "\\set ON_ERROR_STOP on\nBEGIN;\nCREATE TABLE t (id int);\n  \\echo done\nCOMMIT;\n"
	f := mustParse(t, src, Options{})
	if len(f.Statements) != 3 {
		t.Fatalf("got %d statements, want 3", len(f.Statements))
	}
	if len(f.Notes) != 2 || f.Notes[0].Kind != NoteMetaCommand || f.Notes[0].Pos.Line != 1 || f.Notes[1].Pos.Line != 4 || f.Notes[1].Pos.Column != 3 {
		t.Fatalf("notes = %+v", f.Notes)
	}
	if !strings.Contains(f.Notes[0].Message, `\set`) {
		t.Errorf("note %q does not name the command", f.Notes[0].Message)
	}
	if f.Statements[2].Pos.Line != 5 {
		t.Errorf("COMMIT at %v", f.Statements[2].Pos)
	}
}

func TestBackslashInsideStatementIsAnError(t *testing.T) {
	_, err := Parse([]byte("SELECT 1 \\gset\n"), Options{})
	var pe *Error
	if !errors.As(err, &pe) || pe.Pos.Line != 1 || pe.Pos.Column != 10 {
		t.Fatalf("err = %v, want error at 1:10", err)
	}
}

func TestRegionsMaskTheRest(t *testing.T) {
	src := "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n"
	down := strings.Index(src, "-- +goose Down")
	f := mustParse(t, src, Options{Regions: []Region{{0, down}}})
	if len(f.Statements) != 1 || f.Statements[0].Text != "CREATE TABLE t (id int)" || f.Statements[0].Pos.Line != 2 {
		t.Fatalf("statements = %+v", f.Statements)
	}
}

func TestDirectives(t *testing.T) {
	src := `-- phasegate:ignore create-index-non-concurrently,missing-lock-timeout the table has 10 rows
CREATE INDEX i ON t (a);
DROP TABLE old; -- phasegate:phase expand nothing reads old since v2
/* phasegate:phase contract drops data */
UPDATE t SET a = 1;
-- phasegate:ignore drop-column
-- phasegate:phase maybe because
-- phasegate:frobnicate x y
ALTER TABLE t DROP COLUMN b;
-- phasegate:ignore rule-x trailing, for nothing
`
	f := mustParse(t, src, Options{})
	st := f.Statements
	if len(st) != 4 {
		t.Fatalf("got %d statements", len(st))
	}
	if d := st[0].Directives; len(d) != 1 || d[0].Kind != Ignore || strings.Join(d[0].Rules, "|") != "create-index-non-concurrently|missing-lock-timeout" || d[0].Reason != "the table has 10 rows" || d[0].Pos.Line != 1 {
		t.Errorf("statement 0 directives = %+v", d)
	}
	if d := st[1].Directives; len(d) != 1 || d[0].Kind != SetPhase || d[0].Phase != "expand" || d[0].Stmt != st[1] {
		t.Errorf("trailing directive not on DROP TABLE: %+v", d)
	}
	if d := st[2].Directives; len(d) != 1 || d[0].Phase != "contract" || d[0].Reason != "drops data" {
		t.Errorf("block comment directive: %+v", d)
	}
	if d := st[3].Directives; len(d) != 0 {
		t.Errorf("malformed directives attached: %+v", d)
	}
	var msgs []string
	for _, n := range f.Notes {
		if n.Kind != NoteDirective {
			t.Errorf("unexpected note %+v", n)
		}
		msgs = append(msgs, n.Pos.String()+" "+n.Message)
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"6:1 phasegate:ignore drop-column needs a reason", "7:1 phasegate:phase maybe: the phase must be expand or contract", "8:1 unknown directive phasegate:frobnicate", "10:1 directive phasegate:ignore precedes no statement"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q; got:\n%s", want, joined)
		}
	}
	if len(f.Directives) != 4 {
		t.Errorf("got %d well-formed directives, want 4", len(f.Directives))
	}
}

// A directive written inside a statement is for that statement; "--" in a
// string is not a comment.
func TestDirectivesInsideStatements(t *testing.T) {
	src := `ALTER TABLE users
  -- phasegate:phase expand unused since v2
  DROP COLUMN legacy;
ALTER TABLE users DROP COLUMN legacy2 /* phasegate:ignore missing-lock-timeout small table */
;
SELECT '-- phasegate:phase contract not a comment';
ALTER TABLE users DROP COLUMN last
-- phasegate:ignore drop-column trailing, after the last statement without a semicolon
`
	f := mustParse(t, src, Options{})
	st := f.Statements
	if len(st) != 4 {
		t.Fatalf("got %d statements", len(st))
	}
	if d := st[0].Directives; len(d) != 1 || d[0].Phase != "expand" || d[0].Pos.Line != 2 || d[0].Stmt != st[0] {
		t.Errorf("directive inside statement 0: %+v", d)
	}
	if d := st[1].Directives; len(d) != 1 || d[0].Kind != Ignore || d[0].Reason != "small table" {
		t.Errorf("directive inside statement 1: %+v", d)
	}
	if d := st[2].Directives; len(d) != 0 {
		t.Errorf("a string was read as a directive: %+v", d)
	}
	if st[3].Text != "ALTER TABLE users DROP COLUMN last" || st[3].EndPos.Line != 7 {
		t.Errorf("last statement = %q ending at %v", st[3].Text, st[3].EndPos)
	}
	// On the line after the last statement: it precedes nothing.
	if d := st[3].Directives; len(d) != 0 || len(f.Notes) != 1 || f.Notes[0].Pos.Line != 8 || !strings.Contains(f.Notes[0].Message, "precedes no statement") {
		t.Errorf("directive after the last statement: %+v, notes %+v", d, f.Notes)
	}
}

func TestLargeInputs(t *testing.T) {
	big := "SELECT '" + strings.Repeat("x", 1<<20) + "';\nDROP TABLE t;\n"
	f := mustParse(t, big, Options{})
	if len(f.Statements) != 2 || f.Statements[1].Pos.Line != 2 {
		t.Fatalf("1 MB literal: %d statements, second at %v", len(f.Statements), f.Statements[1].Pos)
	}
	var b strings.Builder
	for b.Len() < 20<<20 {
		b.WriteString("INSERT INTO t (a, b) VALUES (1, 'some text that makes the file grow');\n")
	}
	b.WriteString("DROP TABLE t;\n")
	f = mustParse(t, b.String(), Options{})
	last := f.Statements[len(f.Statements)-1]
	if last.Text != "DROP TABLE t" || last.Pos.Line != len(f.Statements) {
		t.Fatalf("20 MB file: last statement %q at %v of %d", last.Text, last.Pos, len(f.Statements))
	}
}
