package checker

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// judge runs every rule on sql against exampleBase, as tool tx runs it,
// and returns the findings of rule id with their lines.
func judge(t *testing.T, sql string, tx source.TxMode, id string) (lines []int, found []Finding) {
	t.Helper()
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sev := map[string]Severity{"missing-statement-timeout": Warning}
	res := New(replay(t, exampleBase), Options{Severity: sev}).File(Input{Migration: source.Migration{Path: "m.sql"}, Tx: tx, File: f})
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Rule.ID == id {
				line := s.Pos.Line
				if fd.Pos != nil {
					line = fd.Pos.Line
				}
				lines = append(lines, line)
				found = append(found, fd)
			}
		}
	}
	return lines, found
}

// TestOneMissingTimeoutPerTransaction: a transaction (or the statements of
// a file outside transaction blocks) that lacks a lock_timeout gets one
// finding, on its first statement, naming the others; the fix says where
// the one SET goes.
func TestOneMissingTimeoutPerTransaction(t *testing.T) {
	const three = "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;\nCREATE INDEX users_name_idx ON users (name);\n"
	lines, fs := judge(t, three, source.TxFile, "missing-lock-timeout")
	if len(fs) != 1 || lines[0] != 1 {
		t.Fatalf("one transaction of three statements: findings at lines %v, want one at line 1", lines)
	}
	if !strings.Contains(fs[0].Message, "so do 2 more statements of the same transaction (lines 2 and 3)") {
		t.Errorf("message: %s", fs[0].Message)
	}
	if !strings.HasPrefix(fs[0].Fix, "1. put SET lock_timeout = '5s'; on a line of its own right before line 1, where the statement starts;\n2. ") {
		t.Errorf("fix: %s", fs[0].Fix)
	}

	// Without the tool's transaction: the statements outside transaction
	// blocks are one group, the BEGIN ... COMMIT block another.
	mixed := "ALTER TABLE users ADD COLUMN a text;\nBEGIN;\nALTER TABLE users ADD COLUMN b text;\nALTER TABLE orgs ADD COLUMN c text;\nCOMMIT;\nALTER TABLE users ADD COLUMN d text;\n"
	lines, fs = judge(t, mixed, source.TxNone, "missing-lock-timeout")
	if len(fs) != 2 || lines[0] != 1 || lines[1] != 3 {
		t.Fatalf("findings at lines %v, want 1 and 3", lines)
	}
	if !strings.Contains(fs[0].Message, "so do 1 more statement of the file outside transaction blocks (line 6)") ||
		!strings.Contains(fs[1].Message, "so do 1 more statement of the same transaction (line 4)") {
		t.Errorf("messages:\n%s\n%s", fs[0].Message, fs[1].Message)
	}
	if !strings.HasPrefix(fs[1].Fix, "1. put SET LOCAL lock_timeout = '5s'; right after the BEGIN at line 2") {
		t.Errorf("fix in the BEGIN block: %s", fs[1].Fix)
	}

	// Each transaction of the tool's (a COMMIT ends one, the next begins)
	// gets its own finding; a statement covered by a SET is not counted.
	lines, _ = judge(t, "ALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nALTER TABLE users ADD COLUMN b text;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD COLUMN c text;\n", source.TxFile, "missing-lock-timeout")
	if len(lines) != 2 || lines[0] != 1 || lines[1] != 3 {
		t.Errorf("two transactions: findings at lines %v, want 1 and 3", lines)
	}

	// A statement whose finding is ignored does not stand for the others.
	lines, fs = judge(t, "-- phasegate:ignore missing-lock-timeout the table is tiny\n"+three, source.TxFile, "missing-lock-timeout")
	if len(fs) != 1 || lines[0] != 3 || !strings.Contains(fs[0].Message, "so do 1 more statement of the same transaction (line 4)") {
		t.Errorf("after an ignored statement: findings at lines %v: %v", lines, fs)
	}

	// missing-statement-timeout (off by default) counts the same way.
	if lines, _ := judge(t, three, source.TxFile, "missing-statement-timeout"); len(lines) != 1 {
		t.Errorf("missing-statement-timeout: findings at lines %v, want one", lines)
	}
}
