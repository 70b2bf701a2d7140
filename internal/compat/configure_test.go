package compat

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// The config's runtime settings become the check's options, tests.results
// read and tests.rerun with it.
func TestFromConfig(t *testing.T) {
	r := config.Runtime{
		Path:           "phasegate.yml",
		Server:         config.Server{URL: "postgres://h/db", Image: "postgres:15", Pull: true},
		MigrateCommand: "make migrate", LockTimeout: "5s", StatementTimeout: "1min",
		TestCommand: "make test", Env: []string{"A=1"}, EnvNames: map[string]string{"DATABASE_URL": "DB"},
		Timeout: time.Minute, Off: map[string]bool{ScenarioDeploy: true}, Record: true, Results: "junit:out/*.xml", Rerun: 2,
	}
	got, err := FromConfig(r)
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		URL: "postgres://h/db", Image: "postgres:15", Pull: true, MigrateCommand: "make migrate",
		Runner:      Runner{LockTimeout: "5s", StatementTimeout: "1min"},
		TestCommand: "make test", Results: Results{Format: JUnit, Path: "out/*.xml", Rerun: 2}, Record: true,
		TestEnv: []string{"A=1"}, EnvNames: map[string]string{"DATABASE_URL": "DB"}, Off: map[string]bool{ScenarioDeploy: true}, Timeout: time.Minute,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromConfig = %+v\nwant         %+v", got, want)
	}
	r.Results = "junit"
	if _, err := FromConfig(r); err == nil || !strings.HasPrefix(err.Error(), `phasegate.yml: tests.results "junit" names no file`) {
		t.Errorf("a tests.results without its file: err = %v", err)
	}
}

// The judged statements are the new migrations' own, at their lines; the
// deferred migrations' are left out.
func TestJudge(t *testing.T) {
	stmt := func(line int, sql string) checker.StatementResult {
		return checker.StatementResult{Pos: sqltext.Position{Line: line}, SQL: sql}
	}
	got := Judge([]checker.FileResult{
		{Migration: source.Migration{Path: "db/2_drop.up.sql"}, Statements: []checker.StatementResult{stmt(1, "SELECT 1"), stmt(3, "DROP TABLE t")}},
		{Migration: source.Migration{Path: "db/deferred/3.up.sql"}, Deferred: true, Statements: []checker.StatementResult{stmt(1, "DROP TABLE u")}},
	})
	want := []JudgedStatement{{"db/2_drop.up.sql", 1, "SELECT 1"}, {"db/2_drop.up.sql", 3, "DROP TABLE t"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Judge = %+v, want %+v", got, want)
	}
}
