package checker

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// timeoutCase is a migration as the checker reads it: its SQL (an ORM's
// rendering of it when lines is set: the migration file's line of each
// line of SQL, 0 for none), and what the missing-lock-timeout finding says.
type timeoutCase struct {
	name   string
	format string
	tx     source.TxMode
	sql    string
	lines  []int
	// fix is the first step of the fix; message, if set, is in the
	// finding's message.
	fix, message string
}

var timeoutCases = []timeoutCase{
	{name: "goose: after the Up marker, which a SET above would miss", format: "goose", tx: source.TxFile,
		sql: "-- +goose Up\nALTER TABLE users ADD COLUMN a text;\n\n-- +goose Down\nALTER TABLE users DROP COLUMN a;\n",
		fix: "1. put SET lock_timeout = '5s'; on a line of its own right before line 2, where the statement starts;"},
	{name: "dbmate: after the migrate:up marker", format: "dbmate", tx: source.TxFile,
		sql:     "-- migrate:up\n-- a comment\nALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;\n",
		fix:     "1. put SET lock_timeout = '5s'; on a line of its own right before line 3, where the statement starts;",
		message: "so do 1 more statement of the same transaction (line 4)"},
	{name: "above the statement's directive, which must stay next to it", format: "plain", tx: source.TxNone,
		sql: "-- phasegate:ignore drop-column nothing has read it since v1.2\nALTER TABLE orgs DROP COLUMN name;\n",
		fix: "1. put SET lock_timeout = '5s'; on a line of its own right before line 1, the statement's phasegate directive, which must stay right above it;"},
	{name: "after a SET that turns it off: right before the statement, not at the top", format: "plain", tx: source.TxNone,
		sql: "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN a text;\n",
		fix: "1. put SET lock_timeout = '5s'; on a line of its own right before line 2, where the statement starts;"},
	{name: "VACUUM FULL alone in a golang-migrate file: a SET would put it in a transaction", format: "golang-migrate", tx: source.TxImplicit,
		sql: "VACUUM FULL users;\n",
		fix: "1. the statement must stay alone in its file, where a SET would put it in a transaction block: set lock_timeout for the connection instead, as the default of the role the migrations run as (ALTER ROLE <role> SET lock_timeout = '5s'; it holds for new sessions);"},

	// ORM migrations: the SQL is rendered; the advice is code, at the
	// migration file's lines.
	{name: "Alembic: op.execute before the operation", format: "alembic", tx: source.TxFile,
		sql:     "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users DROP COLUMN name;\n",
		lines:   []int{14, 15},
		fix:     `1. put op.execute("SET lock_timeout = '5s'") on a line of its own right before line 14, at its indent (a plain SET: it lasts for the rest of the upgrade, an autocommit_block included);`,
		message: "so do 1 more statement of the same transaction (line 15)"},
	{name: "Alembic: a revision whose autocommit_block commits Alembic's transaction", format: "alembic", tx: source.TxNone,
		sql:   "-- phasegate:deferred\n--   after: release\n" + source.AlembicExplicitTx + "COMMIT;\nALTER TABLE users DROP COLUMN name;\nBEGIN;\nCOMMIT;\n",
		lines: []int{0, 0, 0, 18, 19, 18, 0},
		fix:   `1. put op.execute("SET lock_timeout = '5s'") on a line of its own right before line 19, at its indent`},
	{name: "Alembic: after the operation that turns it off", format: "alembic", tx: source.TxFile,
		sql:     "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN a text;\n",
		lines:   []int{14, 15},
		fix:     `1. put op.execute("SET lock_timeout = '5s'") on a line of its own right before line 15,`,
		message: "(line 14 sets it to 0, which disables it)"},
	{name: "Django: RunSQL with SET LOCAL in the migration's transaction", format: "django", tx: source.TxFile,
		sql:     "ALTER TABLE \"users\" ADD COLUMN \"a\" text NULL;\nALTER TABLE \"users\" DROP COLUMN \"name\" CASCADE;\n",
		lines:   []int{8, 13},
		fix:     `1. add the operation migrations.RunSQL("SET LOCAL lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop), with its comma, to operations on a line of its own right before line 8, at its indent (SET LOCAL: Django runs the migration in one transaction, and the setting ends with it);`,
		message: "so do 1 more statement of the same transaction (line 13)"},
	{name: "Django: atomic = False needs a plain SET", format: "django", tx: source.TxNone,
		sql:     "ALTER TABLE \"users\" ADD COLUMN \"a\" text NULL;\nALTER TABLE \"users\" DROP COLUMN \"name\" CASCADE;\n",
		lines:   []int{8, 13},
		fix:     `1. add the operation migrations.RunSQL("SET lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop), with its comma, to operations on a line of its own right before line 8, at its indent (with atomic = False a plain SET, which lasts for the rest of the migrate command's connection);`,
		message: "so do 1 more statement of the file outside transaction blocks (line 13)"},
	{name: "Django: two statements of one operation are one line", format: "django", tx: source.TxFile,
		sql:   "ALTER TABLE \"users\" ADD COLUMN \"a\" integer DEFAULT 0 NOT NULL;\nALTER TABLE \"users\" ALTER COLUMN \"a\" DROP DEFAULT;\n",
		lines: []int{8, 8},
		fix:   `1. add the operation migrations.RunSQL("SET LOCAL lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop), with its comma, to operations on a line of its own right before line 8,`},
}

// timeoutRun judges a timeout case (sql in place of the case's) and
// returns its missing-lock-timeout findings.
func timeoutRun(t *testing.T, tc timeoutCase, sql string) []Finding {
	t.Helper()
	format, err := source.Lookup(tc.format)
	if err != nil {
		t.Fatal(err)
	}
	m := source.Migration{Path: "m", Format: tc.format}
	script, err := format.Script(m, []byte(sql))
	if err != nil {
		t.Fatal(err)
	}
	if script.Tx != tc.tx && tc.lines == nil {
		t.Fatalf("%s runs the file as %v, the case says %v", tc.format, script.Tx, tc.tx)
	}
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{Regions: script.Regions})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, sql)
	}
	in := Input{Migration: m, Tx: tc.tx, File: f}
	if tc.lines != nil {
		lines := tc.lines
		in.Line = func(l int) int {
			if l < 1 || l > len(lines) {
				return 0
			}
			return lines[l-1]
		}
	}
	res := New(replay(t, exampleBase), Options{}).File(in)
	var out []Finding
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Rule.ID == "missing-lock-timeout" {
				out = append(out, fd)
			}
		}
	}
	return out
}

// quotedSQL is the SQL an ORM fix has the migration run: the Python
// string in op.execute("...") or migrations.RunSQL("...").
var quotedSQL = regexp.MustCompile(`\("([^"]+)"`)

// TestLockTimeoutFixSaysWhereTheSetRuns: the fix puts the SET where the
// tool runs it before the statement (never above a section marker, never
// between a directive and its statement), as code in an ORM's migration,
// and names lines of the migration file only. Doing what it says (the SET
// the ORM then renders first) leaves no finding.
func TestLockTimeoutFixSaysWhereTheSetRuns(t *testing.T) {
	for _, tc := range timeoutCases {
		t.Run(tc.name, func(t *testing.T) {
			fs := timeoutRun(t, tc, tc.sql)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1", len(fs))
			}
			first, _, _ := strings.Cut(fs[0].Fix, "\n")
			if !strings.HasPrefix(first, tc.fix) {
				t.Errorf("fix:\n%s\nwant it to start with\n%s", fs[0].Fix, tc.fix)
			}
			if tc.message != "" && !strings.Contains(fs[0].Message, tc.message) {
				t.Errorf("message: %s\nwant %q in it", fs[0].Message, tc.message)
			}
			if tc.lines == nil {
				// A SQL file: the SET right before the line it names.
				at := regexp.MustCompile(`^1\. put (SET [^;]+;) on a line of its own right before line (\d+)`).FindStringSubmatch(first)
				if at == nil {
					return
				}
				n, _ := strconv.Atoi(at[2])
				lines := strings.SplitAfter(tc.sql, "\n")
				edited := strings.Join(lines[:n-1], "") + at[1] + "\n" + strings.Join(lines[n-1:], "")
				if fs := timeoutRun(t, tc, edited); len(fs) != 0 {
					t.Errorf("with %s before line %d, still: %s\n%s", at[1], n, fs[0].Message, edited)
				}
				return
			}
			// Every line named is a line of the migration file that holds
			// an operation.
			for _, m := range regexp.MustCompile(`lines? ([\d, and]+)`).FindAllStringSubmatch(fs[0].Message+" "+fs[0].Fix, -1) {
				for _, n := range regexp.MustCompile(`\d+`).FindAllString(m[1], -1) {
					known := false
					for _, l := range tc.lines {
						known = known || n == strconv.Itoa(l) && l > 0
					}
					if !known {
						t.Errorf("line %s is not a line of the migration file's operations %v:\n%s\n%s", n, tc.lines, fs[0].Message, fs[0].Fix)
					}
				}
			}
			q := quotedSQL.FindStringSubmatch(first)
			if q == nil {
				t.Fatalf("no SQL in the fix: %s", first)
			}
			// The ORM renders the new operation's SQL right before the
			// statements of the operation at the line the fix names.
			at := regexp.MustCompile(`right before line (\d+)`).FindStringSubmatch(first)
			if at == nil {
				t.Fatalf("the fix names no line: %s", first)
			}
			n, _ := strconv.Atoi(at[1])
			i := slices.Index(tc.lines, n)
			if i < 0 {
				t.Fatalf("line %d has no SQL: %v", n, tc.lines)
			}
			sqlLines := strings.SplitAfter(tc.sql, "\n")
			rendered := strings.Join(sqlLines[:i], "") + q[1] + ";\n" + strings.Join(sqlLines[i:], "")
			lines := slices.Insert(slices.Clone(tc.lines), i, n)
			after := tc
			after.lines = lines
			if fs := timeoutRun(t, after, rendered); len(fs) != 0 {
				t.Errorf("with %s run first, still: %s\n%s", q[1], fs[0].Message, rendered)
			}
		})
	}
}
