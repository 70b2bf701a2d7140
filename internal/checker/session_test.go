package checker

import (
	"fmt"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// sessionBase is the production schema of the session tests.
const sessionBase = exampleBase + `
CREATE TABLE people (id bigint PRIMARY KEY, m mood, note text);
`

// sessionRun judges sql as one migration file and returns the findings of
// rule id as "line:column message (fix: fix)", in order.
func sessionRun(t *testing.T, id, sql string, mode string, opts Options) []string {
	t.Helper()
	tx := map[string]source.TxMode{"": source.TxNone, "file": source.TxFile, "implicit": source.TxImplicit}[mode]
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, sql)
	}
	if opts.Severity == nil {
		opts.Severity = map[string]Severity{id: Warning}
	}
	ck := New(replay(t, sessionBase), opts)
	format := "plain"
	if tx == source.TxFile {
		format = "goose"
	}
	res := ck.File(Input{Migration: source.Migration{Path: "m.sql", Format: format}, Tx: tx, File: f})
	var out []string
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Rule.ID != id {
				continue
			}
			pos := s.Pos
			if fd.Pos != nil {
				pos = *fd.Pos
			}
			out = append(out, fmt.Sprintf("%d:%d %s (fix: %s)", pos.Line, pos.Column, fd.Message, fd.Fix))
		}
	}
	return out
}

// lines returns the line numbers of findings.
func findingLines(fs []string) string {
	var ls []string
	for _, f := range fs {
		ls = append(ls, f[:strings.IndexByte(f, ':')])
	}
	return strings.Join(ls, ",")
}

func TestLockTimeoutSession(t *testing.T) {
	const alter = "ALTER TABLE users ADD COLUMN r text;"
	for _, tc := range []struct {
		name string
		sql  string
		tx   string // "file", "implicit"; "" runs without a transaction
		opts Options
		want string // lines flagged by missing-lock-timeout
		msg  string // part of the first finding's message
	}{
		{name: "set", sql: "SET lock_timeout = '2s';\n" + alter},
		{name: "set local outside a transaction", sql: "SET LOCAL lock_timeout = '2s';\n" + alter, want: "2",
			msg: "the SET LOCAL at line 1 has no effect outside a transaction block"},
		{name: "set local in a transaction", sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\n" + alter + "\nCOMMIT;"},
		{name: "set local ends at commit", sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\n" + alter + "\nCOMMIT;\n" + alter, want: "5",
			msg: "its SET LOCAL ended with the transaction at line 4"},
		{name: "set local ends at rollback", sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nROLLBACK;\n" + alter, want: "4"},
		{name: "rollback undoes set", sql: "BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\n" + alter, want: "4",
			msg: "it was undone by the rollback of the transaction at line 3"},
		{name: "set survives commit", sql: "BEGIN;\nSET lock_timeout = '2s';\nCOMMIT;\n" + alter},
		{name: "set then set local", sql: "BEGIN;\nSET lock_timeout = '3s';\nSET LOCAL lock_timeout = '1s';\nCOMMIT;\n" + alter},
		{name: "set local in a file the tool wraps", sql: "SET LOCAL lock_timeout = '2s';\n" + alter, tx: "file"},
		{name: "set local in an implicit transaction", sql: "SET LOCAL lock_timeout = '2s';\n" + alter, tx: "implicit"},
		{name: "zero", sql: "SET lock_timeout = 0;\n" + alter, want: "2", msg: "line 1 sets it to 0, which disables it"},
		{name: "zero string", sql: "SET lock_timeout = '0';\n" + alter, want: "2"},
		{name: "zero seconds", sql: "SET lock_timeout = '0s';\n" + alter, want: "2"},
		{name: "zero milliseconds", sql: "SET lock_timeout TO '0ms';\n" + alter, want: "2"},
		{name: "pg_dump header", sql: "SET statement_timeout = 0;\nSET lock_timeout = 0;\n" + alter, want: "3"},
		{name: "zero after set", sql: "SET lock_timeout = '2s';\nSET lock_timeout = 0;\n" + alter, want: "3"},
		{name: "reset", sql: "SET lock_timeout = '2s';\nRESET lock_timeout;\n" + alter, want: "3", msg: "line 2 resets it"},
		{name: "default", sql: "SET lock_timeout = '2s';\nSET lock_timeout TO DEFAULT;\n" + alter, want: "3"},
		{name: "reset all", sql: "SET lock_timeout = '2s';\nRESET ALL;\n" + alter, want: "3"},
		{name: "reset to what the tool sets", sql: "RESET lock_timeout;\n" + alter, opts: Options{LockTimeout: true}},
		{name: "zero over what the tool sets", sql: "SET lock_timeout = 0;\n" + alter, opts: Options{LockTimeout: true}, want: "2"},
		{name: "set_config", sql: "SELECT set_config('lock_timeout', '2s', false);\n" + alter},
		{name: "set_config local outside a transaction", sql: "SELECT set_config('lock_timeout', '2s', true);\n" + alter, want: "2"},
		{name: "set_config local in a transaction", sql: "BEGIN;\nSELECT set_config('lock_timeout', '2s', true);\n" + alter + "\nCOMMIT;"},
		{name: "set_config local ends at commit", sql: "BEGIN;\nSELECT set_config('lock_timeout', '2s', true);\nCOMMIT;\n" + alter, want: "4"},
		{name: "set_config zero", sql: "SELECT set_config('lock_timeout', '0', false);\n" + alter, want: "2"},
		{name: "do block set local", sql: "DO $$ BEGIN SET LOCAL lock_timeout = '1s'; ALTER TABLE users ADD COLUMN zz text; END $$;"},
		{name: "do block set", sql: "DO $$\nBEGIN\n  SET lock_timeout = '1s';\n  ALTER TABLE users ADD COLUMN zz text;\nEND $$;\n" + alter},
		{name: "do block set local ends with the block", sql: "DO $$ BEGIN SET LOCAL lock_timeout = '1s'; END $$;\n" + alter, want: "2",
			msg: "its SET LOCAL ended with the DO block at line 1"},
		{name: "do block set local in a transaction", sql: "BEGIN;\nDO $$ BEGIN SET LOCAL lock_timeout = '1s'; END $$;\n" + alter + "\nCOMMIT;"},
		{name: "do block alter before set", sql: "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN zz text;\n  SET LOCAL lock_timeout = '1s';\nEND $$;", want: "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sessionRun(t, "missing-lock-timeout", tc.sql, tc.tx, tc.opts)
			if findingLines(got) != tc.want {
				t.Fatalf("%s\nflagged lines %q, want %q: %q", tc.sql, findingLines(got), tc.want, got)
			}
			if tc.msg != "" && !strings.Contains(got[0], tc.msg) {
				t.Errorf("message %q lacks %q", got[0], tc.msg)
			}
		})
	}
}

func TestStatementTimeoutSession(t *testing.T) {
	const alter = "ALTER TABLE users ADD COLUMN r text;"
	opts := Options{Severity: map[string]Severity{"missing-statement-timeout": Warning}}
	for _, tc := range []struct {
		sql  string
		tx   string // "file", "implicit"; "" runs without a transaction
		want string
	}{
		{sql: "SET statement_timeout = '15min';\n" + alter},
		{sql: "SET LOCAL statement_timeout = '15min';\n" + alter, want: "2"},
		{sql: "SET LOCAL statement_timeout = '15min';\n" + alter, tx: "file"},
		{sql: "BEGIN;\nSET LOCAL statement_timeout = '15min';\nCOMMIT;\n" + alter, want: "4"},
		{sql: "SET statement_timeout = 0;\n" + alter, want: "2"},
		{sql: "SELECT set_config('statement_timeout', '1h', true);\n" + alter, want: "2"},
		{sql: "SELECT set_config('statement_timeout', '1h', false);\n" + alter},
	} {
		got := sessionRun(t, "missing-statement-timeout", tc.sql, tc.tx, opts)
		if findingLines(got) != tc.want {
			t.Errorf("%s\nflagged lines %q, want %q: %q", tc.sql, findingLines(got), tc.want, got)
		}
	}
}

func TestZeroDuration(t *testing.T) {
	for _, tc := range []struct {
		value string
		zero  bool
	}{
		{"0", true}, {"'0'", true}, {"'0s'", true}, {"'0ms'", true}, {"'0 min'", true}, {"0.0", true}, {"'00'", true},
		{"'5s'", false}, {"1", false}, {"'0.5s'", false}, {"'10ms'", false}, {"'zero'", false}, {"''", false},
	} {
		f, err := sqltext.Parse([]byte("SET lock_timeout = "+tc.value), sqltext.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := zeroDuration(f.Statements[0].Node.GetVariableSetStmt().Args[0]); got != tc.zero {
			t.Errorf("zeroDuration(%s) = %v, want %v", tc.value, got, tc.zero)
		}
	}
}

func TestNewEnumValueUse(t *testing.T) {
	const id = "add-enum-value-in-transaction"
	for _, tc := range []struct {
		name    string
		sql     string
		tx      string
		version int
		want    []string // "line:column" of the findings
		msg     string
	}{
		{name: "update", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'meh' WHERE id = 1;\nCOMMIT;", want: []string{"3:23"},
			msg: `uses the value 'meh' that ALTER TYPE mood ADD VALUE added at line 2 in the same transaction: PostgreSQL 16 refuses it until the transaction commits (ERROR: unsafe use of new value "meh" of enum type mood)`},
		{name: "cast", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nSELECT 'meh'::mood;\nCOMMIT;", want: []string{"3:8"}},
		{name: "compared", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nDELETE FROM people WHERE m IN ('ok', 'meh');\nCOMMIT;", want: []string{"3:38"}},
		{name: "inserted", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nINSERT INTO people (id, m) VALUES (1, 'meh');\nCOMMIT;", want: []string{"3:39"}},
		{name: "default", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nALTER TABLE people ALTER COLUMN m SET DEFAULT 'meh';\nCOMMIT;", want: []string{"3:47"}},
		{name: "new column default", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCREATE TABLE t (m mood DEFAULT 'meh');\nCOMMIT;", want: []string{"3:32"}},
		{name: "file the tool wraps", sql: "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'meh' WHERE id = 1;", tx: "file", want: []string{"2:23"},
			msg: "goose runs each migration file in a transaction"},
		{name: "implicit transaction", sql: "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'meh' WHERE id = 1;", tx: "implicit", want: []string{"2:23"}},
		{name: "do block", sql: "DO $$\nBEGIN\n  ALTER TYPE mood ADD VALUE 'dd';\n  PERFORM 'dd'::mood;\nEND $$;", want: []string{"4:3"},
			msg: "a DO block runs as one transaction"},
		{name: "after a do block", sql: "DO $$ BEGIN ALTER TYPE mood ADD VALUE 'dd'; END $$;\nUPDATE people SET m = 'dd' WHERE id = 1;"},
		{name: "after commit", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\nUPDATE people SET m = 'meh' WHERE id = 1;"},
		{name: "after commit in a new transaction", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\nBEGIN;\nUPDATE people SET m = 'meh' WHERE id = 1;\nCOMMIT;"},
		{name: "after rollback", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nROLLBACK;\nUPDATE people SET m = 'meh' WHERE id = 1;"},
		{name: "autocommit", sql: "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'meh' WHERE id = 1;"},
		{name: "old value", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'ok' WHERE id = 1;\nCOMMIT;"},
		{name: "text cast", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nSELECT 'meh'::text;\nCOMMIT;"},
		{name: "text column", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET note = 'meh' WHERE note = 'meh';\nCOMMIT;"},
		{name: "if not exists of an old value", sql: "BEGIN;\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';\nUPDATE people SET m = 'ok';\nCOMMIT;"},
		{name: "renamed", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nALTER TYPE mood RENAME VALUE 'meh' TO 'bleh';\nUPDATE people SET m = 'bleh';\nCOMMIT;", want: []string{"4:23"}},
		{name: "type created in the transaction, 16", sql: "BEGIN;\nCREATE TYPE tier AS ENUM ('free');\nALTER TYPE tier ADD VALUE 'pro';\nCREATE TABLE plans (t tier DEFAULT 'pro');\nCOMMIT;", want: []string{"4:36"}},
		{name: "type created in the transaction, 17", sql: "BEGIN;\nCREATE TYPE tier AS ENUM ('free');\nALTER TYPE tier ADD VALUE 'pro';\nCREATE TABLE plans (t tier DEFAULT 'pro');\nCOMMIT;", version: 17},
		{name: "type created earlier, 17", sql: "BEGIN;\nCREATE TYPE tier AS ENUM ('free');\nCOMMIT;\nBEGIN;\nALTER TYPE tier ADD VALUE 'pro';\nCREATE TABLE plans (t tier DEFAULT 'pro');\nCOMMIT;", version: 17, want: []string{"6:36"}},
		{name: "before 12 ADD VALUE is the error", sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'meh' WHERE id = 1;\nCOMMIT;", version: 11, want: []string{"2:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sessionRun(t, id, tc.sql, tc.tx, Options{Version: tc.version})
			var at []string
			for _, g := range got {
				at = append(at, g[:strings.IndexByte(g, ' ')])
			}
			if strings.Join(at, ";") != strings.Join(tc.want, ";") {
				t.Fatalf("%s\nfindings at %q, want %q: %q", tc.sql, at, tc.want, got)
			}
			if tc.msg != "" && !strings.Contains(got[0], tc.msg) {
				t.Errorf("finding %q lacks %q", got[0], tc.msg)
			}
		})
	}
}

func TestDoBlockFindingPositions(t *testing.T) {
	const sql = `SET lock_timeout = '5s';
DO $body$
BEGIN
  ALTER TABLE users DROP COLUMN name;
  IF true THEN
      ALTER TABLE events DROP COLUMN payload;
  END IF;
END $body$;
DO $$ BEGIN ALTER TABLE users DROP COLUMN email; ALTER TABLE users DROP COLUMN org_id; END $$;
DO LANGUAGE plpgsql 'BEGIN
  ALTER TABLE users DROP COLUMN status;
END';
`
	got := sessionRun(t, "drop-column", sql, "", Options{})
	want := []string{"4:3", "6:7", "9:13", "9:50", "11:3"}
	if len(got) != len(want) {
		t.Fatalf("findings %q, want them at %q", got, want)
	}
	for i, g := range got {
		if !strings.HasPrefix(g, want[i]+" in the DO block: drops column") {
			t.Errorf("finding %q, want it at %s", g, want[i])
		}
	}
}

// TestLockMultipleTablesNamesTheFirstLock: the finding names the first
// table the transaction locked, the same on every run (it was picked from
// a map, so the message changed between runs and the PR comment with it).
func TestLockMultipleTablesNamesTheFirstLock(t *testing.T) {
	var base, sql strings.Builder
	sql.WriteString("BEGIN;\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&base, "CREATE TABLE t%d (id bigint);\n", i)
		fmt.Fprintf(&sql, "ALTER TABLE t%d ADD COLUMN c int;\n", i)
	}
	sql.WriteString("COMMIT;\n")
	f, err := sqltext.Parse([]byte(sql.String()), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 3; run++ {
		res := New(replay(t, base.String()), Options{}).File(Input{Migration: source.Migration{Path: "m.sql", Format: "plain"}, File: f})
		n := 0
		for _, s := range res.Statements {
			for _, fd := range s.Findings {
				if fd.Rule.ID != "lock-multiple-tables" {
					continue
				}
				n++
				if !strings.HasSuffix(fd.Message, "still holds a lock on t1") {
					t.Errorf("line %d: %q, want it to name t1, the first table locked", s.Pos.Line, fd.Message)
				}
			}
		}
		if n != 7 {
			t.Fatalf("%d lock-multiple-tables findings, want 7", n)
		}
	}
}

// TestUnjudgedDoBlockStatementsAtTheirLines: the statements of a DO block
// an edited migration kept are replayed at their own lines, as judged
// ones are; a finding that names one names its line.
func TestUnjudgedDoBlockStatementsAtTheirLines(t *testing.T) {
	const sql = "DO $$\nBEGIN\n  ALTER TYPE mood ADD VALUE 'meh';\nEND $$;\nUPDATE people SET m = 'meh' WHERE id = 1;\n"
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ck := New(replay(t, sessionBase), Options{})
	res := ck.File(Input{
		Migration: source.Migration{Path: "m.sql", Format: "goose"}, Tx: source.TxFile, File: f,
		Judge: func(s *sqltext.Statement) bool { return s.Node.GetDoStmt() == nil }, // the DO block is unchanged
	})
	var msgs []string
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Rule.ID == "add-enum-value-in-transaction" {
				msgs = append(msgs, fd.Message)
			}
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "ADD VALUE added at line 3 ") {
		t.Errorf("findings %q, want one naming line 3, where ADD VALUE is", msgs)
	}
}
