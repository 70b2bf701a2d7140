package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// An empty config resolves to the documented defaults
// (docs/configuration.md).
func TestResolveDefaults(t *testing.T) {
	r, err := (&Config{}).Resolve(15)
	if err != nil {
		t.Fatal(err)
	}
	want := Runtime{
		Server:  Server{Image: "postgres:15", Pull: true},
		Timeout: 15 * time.Minute, Off: map[string]bool{}, Record: true, Rerun: 1,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Resolve = %+v\nwant      %+v", r, want)
	}
	if !(&Config{}).Suggest() {
		t.Error("suggestions are off by default")
	}
}

// Every runtime key the config sets reaches the resolved values, typed.
func TestResolveSet(t *testing.T) {
	c, err := Parse("phasegate.yml", []byte(`
previous: latest-tag
releases: {tag_pattern: "release-*"}
postgres: {image: "local/postgres:15", url: "postgres://h/db", pull: false}
migrate: {command: "make migrate", lock_timeout: 5s, statement_timeout: 1min}
suggestions: false
tests:
  command: go test ./...
  env: {B: "2", A: "1"}
  env_names: {DATABASE_URL: DB}
  timeout: 90s
  scenarios: {deploy: false, compat: true}
  record: false
  results: go-json
  rerun: 0
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Resolve(16)
	if err != nil {
		t.Fatal(err)
	}
	want := Runtime{
		Path:     "phasegate.yml",
		Server:   Server{URL: "postgres://h/db", Image: "local/postgres:15", Pull: false},
		Previous: "latest-tag", TagPattern: "release-*",
		MigrateCommand: "make migrate", LockTimeout: "5s", StatementTimeout: "1min",
		TestCommand: "go test ./...", Env: []string{"A=1", "B=2"}, EnvNames: map[string]string{"DATABASE_URL": "DB"},
		Timeout: 90 * time.Second, Off: map[string]bool{"deploy": true}, Record: false, Results: "go-json", Rerun: 0,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Resolve = %+v\nwant      %+v", r, want)
	}
	if c.Suggest() {
		t.Error("suggestions: false is not honoured")
	}
}

// A negative tests.rerun is an error naming the file and what to write.
func TestResolveRejectsNegativeRerun(t *testing.T) {
	c, err := Parse("phasegate.yml", []byte("tests:\n  rerun: -1\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Resolve(16)
	if err == nil || !strings.Contains(err.Error(), "phasegate.yml: tests.rerun -1: give how many times to rerun the failing tests, 0 or more") {
		t.Errorf("err = %v", err)
	}
}
