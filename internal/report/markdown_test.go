package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/lint"
)

var update = flag.Bool("update", false, "rewrite testdata/comment golden files")

const schemaSQL = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, legacy_flags int NOT NULL DEFAULT 0);`

// static runs the static check on one migration file against schemaSQL.
func static(t *testing.T, name, sql string) *Report {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "schema.sql"), []byte(schemaSQL), 0o644)
	os.MkdirAll(filepath.Join(dir, "db/migrations"), 0o755)
	p := filepath.Join(dir, "db/migrations", name)
	os.WriteFile(p, []byte(sql), 0o644)
	t.Chdir(dir)
	res, err := lint.Files([]string{"db/migrations/" + name}, lint.FilesOptions{Schema: "schema.sql"})
	if err != nil {
		t.Fatal(err)
	}
	r := FromChange(res, Options{PostgresVersion: 16})
	r.Base = "4f2c0a1b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"
	return r
}

func runtimeResult(verdict string, compatStatus string, tail string, implicated []compat.Change, changes []compat.Change, traces []compat.Trace) *compat.Result {
	return &compat.Result{
		Previous: "0b8261f824abe7cc4193197749cd536739f44c3f", Server: "postgres:16", Verdict: verdict,
		Changes: changes, Traces: traces,
		Scenarios: []compat.Scenario{
			{Name: compat.ScenarioBaseline, Status: "pass", Duration: 1300 * time.Millisecond, Command: "go test ./...", Version: "0b8261f824ab"},
			{Name: compat.ScenarioCompat, Status: compatStatus, Duration: 1500 * time.Millisecond, Command: "go test ./...", Version: "0b8261f824ab", OutputTail: tail, Implicated: implicated, Reason: map[bool]string{true: "the test command exited with status 1"}[compatStatus == "fail"]},
			{Name: compat.ScenarioDeploy, Status: "pass", Duration: 1400 * time.Millisecond, Command: "go test ./...", Version: "work tree"},
			{Name: compat.ScenarioContractReady, Status: "skipped", Reason: "the change adds no deferred contract migration"},
		},
	}
}

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, "comment", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/report -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./internal/report -update rewrites it; review the diff):\n%s", name, got)
	}
}

var testdataDir, _ = filepath.Abs("../../testdata")

var mdOpts = MarkdownOptions{ServerURL: "https://github.com", Repo: "acme/shop", Commit: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d", Marker: true, MaxBytes: 65000}

func TestCommentAllExpand(t *testing.T) {
	r := static(t, "0003_nick.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\n")
	r.AddRuntime(runtimeResult("pass", "pass", "", nil, nil, []compat.Trace{{Path: "db/migrations/0003_nick.up.sql", Line: 2, Locks: []compat.MeasuredLock{{Relation: "users", Mode: "AccessExclusiveLock"}}}}), "v1.0.0", checker.Options{})
	var b bytes.Buffer
	Markdown(&b, r, mdOpts)
	golden(t, "all-expand.md", b.String())
	if !strings.Contains(b.String(), "<details>") || strings.Contains(b.String(), "What to do next") {
		t.Error("an all-green comment must be compact")
	}
}

const exampleMigration = `SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN display_name text;
CREATE INDEX users_display_name_idx ON users (display_name);
ALTER TABLE users DROP COLUMN legacy_flags;
`

func TestCommentContractPresent(t *testing.T) {
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	var b bytes.Buffer
	Markdown(&b, r, mdOpts)
	golden(t, "contract.md", b.String())
}

func TestCommentCompatFailure(t *testing.T) {
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	legacy := compat.Change{Object: "users.legacy_flags", Kind: "column", Change: "removed", Where: "db/migrations/0003_display_name.up.sql:4"}
	tail := "--- FAIL: TestUsers (0.01s)\n    users_test.go:24: ERROR: column \"legacy_flags\" does not exist (SQLSTATE 42703)\nFAIL\nFAIL\texample.com/shop\t0.012s"
	r.AddRuntime(runtimeResult("fail", "fail", tail, []compat.Change{legacy}, []compat.Change{legacy}, []compat.Trace{
		{Path: "db/migrations/0003_display_name.up.sql", Line: 2, Locks: []compat.MeasuredLock{{Relation: "users", Mode: "AccessExclusiveLock"}}},
		{Path: "db/migrations/0003_display_name.up.sql", Line: 3, Locks: []compat.MeasuredLock{{Relation: "users", Mode: "ShareLock"}}},
		{Path: "db/migrations/0003_display_name.up.sql", Line: 4, Locks: []compat.MeasuredLock{{Relation: "users", Mode: "AccessExclusiveLock"}}},
	}), "v1.0.0", checker.Options{})
	var b bytes.Buffer
	Markdown(&b, r, mdOpts)
	golden(t, "compat-failure.md", b.String())
	if r.ExitCode() != 1 || !strings.Contains(b.String(), "it still uses [`users.legacy_flags`]") && !strings.Contains(b.String(), "it still uses `users.legacy_flags`") {
		t.Errorf("exit %d; comment does not name the column", r.ExitCode())
	}
}

func TestCommentNoMigrations(t *testing.T) {
	r := &Report{Version: Version, Files: []File{}, Errors: []Error{}, PostgresVersion: 16}
	r.Finish()
	var b bytes.Buffer
	Markdown(&b, r, mdOpts)
	if !strings.Contains(b.String(), "changes no migration") || !strings.HasPrefix(b.String(), Marker) {
		t.Errorf("comment:\n%s", b.String())
	}
}

// A comment over the limit is cut at a markdown boundary, whatever the
// limit (MaxBytes under 200 made it panic).
func TestCommentStaysUnderTheLimit(t *testing.T) {
	var sql strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&sql, "DROP TABLE IF EXISTS t%d_%s;\n", i, strings.Repeat("x", 40)) // contract: shown in the compact comment too
	}
	r := static(t, "0003_big.up.sql", sql.String())
	for _, limit := range []int{65000, 4321, 150, 40} {
		var b bytes.Buffer
		Markdown(&b, r, MarkdownOptions{Marker: true, MaxBytes: limit})
		got := b.String()
		if len(got) > limit || !utf8.ValidString(got) {
			t.Errorf("limit %d: the comment is %d bytes, valid UTF-8: %v", limit, len(got), utf8.ValidString(got))
		}
		if limit > 1000 && (!strings.HasPrefix(got, Marker) || !strings.HasSuffix(got, cutNote)) {
			t.Errorf("limit %d: the comment lacks the marker or the note that it was cut:\n%s", limit, tail(got))
		}
		checkCut(t, markdown(r, MarkdownOptions{Marker: true}, true), limit) // what Markdown cut
	}
}

// validSARIF writes r as SARIF, checks it against the 2.1.0 schema, and
// returns it read back, and as text.
func validSARIF(t *testing.T, r *Report) (*sarif.Report, string) {
	t.Helper()
	var b bytes.Buffer
	if err := SARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() {
		t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v\n%s", res.Errors(), b.String())
	}
	rep, err := sarif.FromBytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return rep, b.String()
}

// sarifSchema is the SARIF 2.1.0 JSON Schema, as the go-sarif module (a
// test dependency) carries it.
func sarifSchema(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Dir = filepath.Dir(testdataDir) // the module root: tests may chdir
	dir, err := cmd.Output()
	if err != nil {
		t.Fatalf("find the go-sarif module for the SARIF schema: %v\n%s", err, stderr.String())
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "pkg/report/v210/sarif/schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	i, j := strings.IndexByte(s, '`'), strings.LastIndexByte(s, '`')
	if i < 0 || j <= i {
		t.Fatal("no schema in go-sarif's schema.go")
	}
	return s[i+1 : j]
}

func TestSARIFIsValid(t *testing.T) {
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	r.Errors = append(r.Errors, Error{Path: "db/migrations/0004_bad.up.sql", Line: 2, Column: 5, Message: "syntax error at or near \"x\""})
	rep, _ := validSARIF(t, r)
	results := rep.Runs[0].Results
	if len(results) != 3 {
		t.Fatalf("%d results, want 3 (two findings, one parse error)", len(results))
	}
	loc := results[0].Locations[0].PhysicalLocation
	if *loc.ArtifactLocation.URI != "db/migrations/0003_display_name.up.sql" || *loc.Region.StartLine != 3 {
		t.Errorf("first result at %s:%d", *loc.ArtifactLocation.URI, *loc.Region.StartLine)
	}
}

// TestCommentDeployFailure: the deploy scenario's failure says what the
// new code needs that only a deferred migration provides, and a deferred
// migration is shown as deferred, never as a contract to split.
func TestCommentDeployFailure(t *testing.T) {
	r := static(t, "0003_display_name.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN display_name text;\n")
	r.Files = append(r.Files, File{Path: "db/deferred/0003_display_name_contract.up.sql", Deferred: true, Status: "added",
		Statements: []Statement{{Line: 4, SQL: "ALTER TABLE users RENAME COLUMN name TO full_name", Phase: "contract", Findings: []Finding{}}}, Findings: []Finding{}})
	r.Finish()
	missing := compat.Change{Object: "users.full_name", Kind: "column", Change: "missing", Where: "db/deferred/0003_display_name_contract.up.sql:4"}
	res := runtimeResult("fail", "pass", "", nil, nil, nil)
	res.Scenarios = append(res.Scenarios[:2], compat.Scenario{Name: compat.ScenarioDeploy, Status: "fail", Version: "work tree", Reason: "the test command exited with status 1",
		OutputTail: "users_test.go:20: ERROR: column \"full_name\" does not exist (SQLSTATE 42703)", Implicated: []compat.Change{missing}}, res.Scenarios[2])
	r.AddRuntime(res, "v1.0.0", checker.Options{})
	var b bytes.Buffer
	Markdown(&b, r, mdOpts)
	md := b.String()
	for _, want := range []string{
		"the new code breaks on the schema it is deployed on",
		"it needs [`users.full_name`]", "which only the deferred migration in",
		"deferred contract migration: 1 statement that run after the next release",
		"⏸️",
		", 1 deferred",
	} {
		if !strings.Contains(md, want) && !strings.Contains(md, strings.ReplaceAll(want, "[`users.full_name`]", "`users.full_name`")) {
			t.Errorf("comment lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "phasegate split db/deferred") || strings.Contains(md, "🔴") {
		t.Errorf("a deferred migration is shown as a contract to split:\n%s", md)
	}
	if r.Summary.Contract != 0 || r.Summary.Deferred != 1 {
		t.Errorf("summary %+v", r.Summary)
	}
}

// TestCommentTypeChangeIsNotSentToSplit: split refuses a type change, so
// the comment gives the steps instead of a command that fails.
func TestCommentTypeChangeIsNotSentToSplit(t *testing.T) {
	r := static(t, "0003_type.up.sql", "ALTER TABLE users ALTER COLUMN legacy_flags TYPE smallint;\n")
	var b bytes.Buffer
	Markdown(&b, r, mdOpts)
	if md := b.String(); strings.Contains(md, "`phasegate split db/migrations/0003_type.up.sql`") || !strings.Contains(md, "through a second column") {
		t.Errorf("comment:\n%s", md)
	}
}
