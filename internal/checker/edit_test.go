package checker

import (
	"fmt"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// editCase is a migration file, how its tool runs it, and the edit the
// finding of a rule on it should carry ("" for none).
type editCase struct {
	name   string
	format string
	tx     source.TxMode
	sql    string
	rule   string
	// want is "LINE-ENDLINE\nNEW", or "" for no edit.
	want string
}

var editCases = []editCase{
	// CONCURRENTLY: only where the tool then runs the index outside a
	// transaction block.
	{"index alone in a golang-migrate file", "golang-migrate", source.TxImplicit,
		"CREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently",
		"1-1\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);"},
	{"unnamed index over two lines, after a comment", "prisma", source.TxImplicit,
		"-- search by name\n  CREATE INDEX\n    ON users (name);  \n", "create-index-non-concurrently",
		"2-3\n  CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx\n    ON users (name);"},
	{"index with IF NOT EXISTS keeps its layout and comment", "golang-migrate", source.TxImplicit,
		"CREATE INDEX IF NOT EXISTS users_name_idx ON users /* hot */ (name);\n", "create-index-non-concurrently",
		"1-1\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users /* hot */ (name);"},
	{"index beside another statement: golang-migrate runs both in one transaction", "golang-migrate", source.TxImplicit,
		"ALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently", ""},
	{"goose runs the file in a transaction", "goose", source.TxFile,
		"-- +goose Up\nCREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently", ""},
	{"goose NO TRANSACTION", "goose", source.TxNone,
		"-- +goose NO TRANSACTION\n-- +goose Up\nSET lock_timeout = '5s';\nCREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently",
		"4-4\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);"},
	{"flyway file of its own", "flyway", source.TxAuto,
		"CREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently",
		"1-1\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);"},
	{"flyway beside a transactional statement: Flyway would refuse the mix", "flyway", source.TxAuto,
		"SET lock_timeout = '5s';\nCREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently", ""},
	{"flyway beside another concurrent index", "flyway", source.TxAuto,
		"CREATE INDEX CONCURRENTLY users_email_lower_idx ON users (lower(email));\nCREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently",
		"2-2\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);"},
	{"inside BEGIN of a plain file", "plain", source.TxNone,
		"BEGIN;\nCREATE INDEX users_name_idx ON users (name);\nCOMMIT;\n", "create-index-non-concurrently", ""},
	{"goose StatementBegin block", "goose", source.TxNone,
		"-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nCREATE INDEX users_name_idx ON users (name);\n-- +goose StatementEnd\n", "create-index-non-concurrently", ""},
	{"CRLF line ends", "golang-migrate", source.TxImplicit,
		"CREATE INDEX users_name_idx ON users (name);\r\n", "create-index-non-concurrently", ""},
	{"atlas hashes its files", "atlas", source.TxNone,
		"CREATE INDEX users_name_idx ON users (name);\n", "create-index-non-concurrently", ""},
	{"another statement after it on the line", "plain", source.TxNone,
		"CREATE INDEX users_name_idx ON users (name); SELECT 1;\n", "create-index-non-concurrently", ""},
	{"a unique index over existing columns is a contract: its fix is add-constraint's", "golang-migrate", source.TxImplicit,
		"CREATE UNIQUE INDEX users_name_key ON users (name);\n", "create-index-non-concurrently", ""},

	// lock_timeout: a SET on a line of its own before the statement.
	{"lock_timeout in a golang-migrate file", "golang-migrate", source.TxImplicit,
		"ALTER TABLE users ADD COLUMN nick text;\n", "missing-lock-timeout",
		"1-1\nSET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;"},
	{"lock_timeout keeps the indent", "goose", source.TxFile,
		"-- +goose Up\n  ALTER TABLE users\n    ADD COLUMN nick text;\n", "missing-lock-timeout",
		"2-2\n  SET lock_timeout = '5s';\n  ALTER TABLE users"},
	{"lock_timeout above the statement's directive, which a SET between would take", "plain", source.TxNone,
		"-- phasegate:ignore drop-column nothing has read it since v1.2\nALTER TABLE orgs DROP COLUMN name;\n", "missing-lock-timeout",
		"1-1\nSET lock_timeout = '5s';\n-- phasegate:ignore drop-column nothing has read it since v1.2"},
	{"lock_timeout after goose's Up marker, above the directive", "goose", source.TxFile,
		"-- +goose Up\n  -- phasegate:phase expand the previous release never reads it\n  ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x';\n", "missing-lock-timeout",
		"2-2\n  SET lock_timeout = '5s';\n  -- phasegate:phase expand the previous release never reads it"},
	{"lock_timeout inside BEGIN is SET LOCAL", "plain", source.TxNone,
		"BEGIN;\nALTER TABLE users ADD COLUMN nick text;\nCOMMIT;\n", "missing-lock-timeout",
		"2-2\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;"},
	{"VACUUM FULL alone: a SET would put it in golang-migrate's implicit transaction", "golang-migrate", source.TxImplicit,
		"VACUUM FULL users;\n", "missing-lock-timeout", ""},
	{"VACUUM FULL alone: a SET would make Flyway refuse the mix", "flyway", source.TxAuto,
		"VACUUM FULL users;\n", "missing-lock-timeout", ""},
	{"statement_timeout", "dbmate", source.TxFile,
		"-- migrate:up\nALTER TABLE users ADD COLUMN nick text;\n", "missing-statement-timeout",
		"2-2\nSET statement_timeout = '15min';\nALTER TABLE users ADD COLUMN nick text;"},

	// NOT VALID, then VALIDATE CONSTRAINT: only where they run as two
	// transactions.
	{"named foreign key on a new column, no transaction", "plain", source.TxNone,
		"ALTER TABLE users ADD COLUMN team_id bigint;\nALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES orgs (id);\n", "add-foreign-key-validated",
		"2-2\nALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES orgs (id) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_team_fk;"},
	{"unnamed foreign key is named as PostgreSQL would", "sql-migrate", source.TxNone,
		"-- +migrate Up notransaction\nALTER TABLE users ADD COLUMN team_id bigint;\nALTER TABLE users ADD FOREIGN KEY (team_id) REFERENCES orgs (id);\n", "add-foreign-key-validated",
		"3-3\nALTER TABLE users ADD CONSTRAINT users_team_id_fkey FOREIGN KEY (team_id) REFERENCES orgs (id) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_team_id_fkey;"},
	{"unnamed foreign key with a comment: the deparsed SQL would drop it", "plain", source.TxNone,
		"ALTER TABLE users ADD COLUMN team_id bigint;\nALTER TABLE users ADD FOREIGN KEY (team_id) /* team */ REFERENCES orgs (id);\n", "add-foreign-key-validated", ""},
	{"foreign key in a transaction: VALIDATE would hold the ADD's lock", "golang-migrate", source.TxImplicit,
		"ALTER TABLE users ADD COLUMN team_id bigint;\nALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES orgs (id);\n", "add-foreign-key-validated", ""},
	{"foreign key alone in a golang-migrate file: the two steps would share a transaction", "golang-migrate", source.TxImplicit,
		"ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n", "add-foreign-key-validated", ""},
	{"foreign key over an existing column: a contract, add-constraint's fix", "plain", source.TxNone,
		"ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n", "add-foreign-key-validated", ""},
	{"foreign key beside another command", "plain", source.TxNone,
		"ALTER TABLE users ADD COLUMN team_id bigint, ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES orgs (id);\n", "add-foreign-key-validated", ""},
	{"CHECK on a new column, split", "plain", source.TxNone,
		"ALTER TABLE users ADD COLUMN nick text CHECK (nick <> '');\n", "add-check-validated",
		"1-1\nALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users ADD CONSTRAINT users_nick_check CHECK (nick <> '') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_nick_check;"},
	{"REFERENCES with a default on a new column, split", "plain", source.TxNone,
		"ALTER TABLE users ADD COLUMN team_id bigint NOT NULL DEFAULT 0 REFERENCES orgs (id);\n", "add-foreign-key-validated",
		"1-1\nALTER TABLE users ADD COLUMN team_id bigint NOT NULL DEFAULT 0;\nALTER TABLE users ADD CONSTRAINT users_team_id_fkey FOREIGN KEY (team_id) REFERENCES orgs (id) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_team_id_fkey;"},
}

// editRun judges sql as one file and returns the findings of rule id.
func editRun(t *testing.T, format string, tx source.TxMode, sql, id string) []Finding {
	t.Helper()
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, sql)
	}
	ck := New(replay(t, exampleBase), Options{Severity: map[string]Severity{"missing-statement-timeout": Warning}})
	res := ck.File(Input{Migration: source.Migration{Path: "m.sql", Format: format}, Tx: tx, File: f})
	var out []Finding
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Rule.ID == id {
				out = append(out, fd)
			}
		}
	}
	return out
}

// applyEdit replaces the edit's lines of src, after checking they say
// what the edit says they do.
func applyEdit(src string, e *Edit) (string, error) {
	lines := strings.Split(src, "\n")
	if e.Line < 1 || e.EndLine > len(lines) || e.Line > e.EndLine {
		return "", fmt.Errorf("lines %d-%d of a %d-line file", e.Line, e.EndLine, len(lines))
	}
	if got := strings.Join(lines[e.Line-1:e.EndLine], "\n"); got != e.Old {
		return "", fmt.Errorf("lines %d-%d are %q, the edit expects %q", e.Line, e.EndLine, got, e.Old)
	}
	out := append(append(append([]string{}, lines[:e.Line-1]...), e.New), lines[e.EndLine:]...)
	return strings.Join(out, "\n"), nil
}

// TestEdits: each finding carries the edit of its case, or none; an edit
// applied to its file leaves a file on which the checker no longer finds
// what the rule found, nor any new error.
func TestEdits(t *testing.T) {
	for _, tc := range editCases {
		t.Run(tc.name, func(t *testing.T) {
			fs := editRun(t, tc.format, tc.tx, tc.sql, tc.rule)
			if len(fs) == 0 {
				t.Fatalf("no %s finding", tc.rule)
			}
			e := fs[0].Edit
			got := ""
			if e != nil {
				got = fmt.Sprintf("%d-%d\n%s", e.Line, e.EndLine, e.New)
			}
			if got != tc.want {
				t.Fatalf("edit\n%s\nwant\n%s", got, tc.want)
			}
			if e == nil {
				return
			}
			edited, err := applyEdit(tc.sql, e)
			if err != nil {
				t.Fatal(err)
			}
			if after := editRun(t, tc.format, tc.tx, edited, tc.rule); len(after) != 0 {
				t.Errorf("after the edit, still %s: %s\n%s", tc.rule, after[0].Message, edited)
			}
			before := errorsOf(t, tc.format, tc.tx, tc.sql)
			for _, id := range errorsOf(t, tc.format, tc.tx, edited) {
				if !strings.Contains(strings.Join(before, " "), id) {
					t.Errorf("the edit brings a new error, %s:\n%s", id, edited)
				}
			}
		})
	}
}

// errorsOf lists the rules with error findings on a file.
func errorsOf(t *testing.T, format string, tx source.TxMode, sql string) []string {
	t.Helper()
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		t.Fatalf("the edited file does not parse: %v\n%s", err, sql)
	}
	res := New(replay(t, exampleBase), Options{}).File(Input{Migration: source.Migration{Path: "m.sql", Format: format}, Tx: tx, File: f})
	var ids []string
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Severity == Error {
				ids = append(ids, fd.Rule.ID)
			}
		}
	}
	for _, fd := range res.Findings {
		if fd.Severity == Error {
			ids = append(ids, fd.Rule.ID)
		}
	}
	return ids
}
