package phasegate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate"
)

// A migration that drops a column production's code reads, and builds an
// index in a way that blocks writes.
var migrations = fstest.MapFS{
	"db/migrations/0002_tidy.up.sql":   {Data: []byte("ALTER TABLE users DROP COLUMN legacy_flags;\nCREATE INDEX users_email ON users (email);\n")},
	"db/migrations/0002_tidy.down.sql": {Data: []byte("ALTER TABLE users ADD COLUMN legacy_flags text;\n")},
}

const production = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, legacy_flags text);\n"

func ExampleLint() {
	res, err := phasegate.Lint([]string{"db/migrations"}, phasegate.Options{FS: migrations, Schema: []byte(production)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range res.Files {
		fmt.Println(f.Path, f.Phase)
	}
	for _, f := range res.Findings() {
		fmt.Printf("%s:%d:%d: %s %s\n", f.Path, f.Line, f.Column, f.Severity, f.Rule)
	}
	fmt.Println("failed:", res.Failed(phasegate.SeverityError))
	// Output:
	// db/migrations/0002_tidy.up.sql contract
	// db/migrations/0002_tidy.up.sql:1:1: error drop-column
	// db/migrations/0002_tidy.up.sql:1:1: warning missing-lock-timeout
	// db/migrations/0002_tidy.up.sql:2:1: error create-index-non-concurrently
	// failed: true
}

func TestLintFindingsSayWhatToDo(t *testing.T) {
	res, err := phasegate.Lint([]string{"db/migrations/0002_tidy.up.sql"}, phasegate.Options{FS: migrations, Schema: []byte(production)})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Findings()
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range fs {
		if f.Message == "" || f.Fix == "" {
			t.Errorf("%s at %d:%d has message %q, fix %q", f.Rule, f.Line, f.Column, f.Message, f.Fix)
		}
	}
	if len(res.Files) != 1 || len(res.Files[0].Statements) != 2 || res.Files[0].Statements[1].Phase != phasegate.PhaseExpand {
		t.Errorf("files: %+v", res.Files)
	}
}

func TestLintSeverityOverride(t *testing.T) {
	res, err := phasegate.Lint([]string{"db/migrations/0002_tidy.up.sql"}, phasegate.Options{
		FS: migrations, Schema: []byte(production),
		Severity: map[string]phasegate.Severity{"create-index-non-concurrently": phasegate.SeverityOff, "drop-column": phasegate.SeverityWarning},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings() {
		if f.Rule == "create-index-non-concurrently" {
			t.Errorf("a rule turned off still reports: %+v", f)
		}
	}
	if res.Failed(phasegate.SeverityError) || !res.Failed(phasegate.SeverityWarning) {
		t.Errorf("drop-column at warning: failed(error)=%v failed(warning)=%v", res.Failed(phasegate.SeverityError), res.Failed(phasegate.SeverityWarning))
	}
}

func TestLintLockTimeoutSet(t *testing.T) {
	for _, set := range []bool{false, true} {
		res, err := phasegate.Lint([]string{"db/migrations/0002_tidy.up.sql"}, phasegate.Options{FS: migrations, Schema: []byte(production), LockTimeoutSet: set})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range res.Findings() {
			found = found || f.Rule == "missing-lock-timeout"
		}
		if found == set {
			t.Errorf("LockTimeoutSet %v: missing-lock-timeout reported: %v", set, found)
		}
	}
}

func TestLintOptionErrors(t *testing.T) {
	for _, c := range []struct {
		opts phasegate.Options
		want error
	}{
		{phasegate.Options{Severity: map[string]phasegate.Severity{"drop-colum": phasegate.SeverityOff}}, phasegate.ErrUnknownRule},
		{phasegate.Options{Severity: map[string]phasegate.Severity{"drop-column": "loud"}}, phasegate.ErrUnknownSeverity},
		{phasegate.Options{Format: "golang-migrat"}, phasegate.ErrUnknownFormat},
		{phasegate.Options{PostgresVersion: 160}, phasegate.ErrUnsupportedVersion},
	} {
		c.opts.FS = migrations
		_, err := phasegate.Lint([]string{"db/migrations"}, c.opts)
		if !errors.Is(err, c.want) {
			t.Errorf("%+v: got %v, want %v", c.opts, err, c.want)
		}
	}
	if _, err := phasegate.Lint([]string{"db/nowhere"}, phasegate.Options{FS: migrations}); err == nil || !strings.Contains(err.Error(), "db/nowhere") {
		t.Errorf("a missing path: %v", err)
	}
	// golang-migrate's files read as Flyway's: nothing to judge is no pass.
	_, err := phasegate.Lint([]string{"db/migrations"}, phasegate.Options{FS: migrations, Format: "flyway"})
	if want := "phasegate: db/migrations holds no flyway migration: its files are named as golang-migrate names migrations"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("a wrong format: %v, want %s...", err, want)
	}
}

func TestLintParseErrorHasPosition(t *testing.T) {
	fsys := fstest.MapFS{"m/0001_bad.up.sql": {Data: []byte("CREATE TABLE ok (id int);\nALTER TABLE ok ADD COLUMN;\n")}}
	res, err := phasegate.Lint([]string{"m/0001_bad.up.sql"}, phasegate.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].Line != 2 || res.Errors[0].Path != "m/0001_bad.up.sql" || !res.Failed(phasegate.SeverityError) {
		t.Fatalf("errors: %v", res.Errors)
	}
	if got := res.Errors[0].Error(); !strings.HasPrefix(got, "m/0001_bad.up.sql:2:") {
		t.Errorf("error %q does not start with file:line:col", got)
	}
}

// The operating system's files, as the command reads them: paths are shown
// as given.
func TestLintOSFiles(t *testing.T) {
	res, err := phasegate.Lint([]string{"testdata/example/head/db/migrations"}, phasegate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) == 0 || !strings.HasPrefix(res.Files[0].Path, "testdata/example/head/db/migrations/0001") {
		t.Errorf("files: %+v", res.Files)
	}
}

func TestRulesAreDocumented(t *testing.T) {
	rules := phasegate.Rules()
	if len(rules) < 60 {
		t.Fatalf("%d rules", len(rules))
	}
	for _, r := range rules {
		if r.ID == "" || r.Summary == "" || r.Category == "" || r.Severity == "" || !strings.HasSuffix(r.URL, "#"+r.ID) {
			t.Errorf("rule %+v", r)
		}
	}
}
