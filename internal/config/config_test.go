package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	c, err := Parse("phasegate.yml", []byte(`
migrations:
  dir: db/migrations
  format: goose
postgres:
  version: 14
  lock_timeout_set: true
rules:
  drop-column: warning
ignore:
  - path: db/migrations/0001_init.sql
    rules: [create-index-non-concurrently]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Migrations.Dir != "db/migrations" || c.Migrations.Format != "goose" || c.Postgres.Version != 14 || !c.Postgres.LockTimeoutSet ||
		c.Rules["drop-column"] != "warning" || len(c.Ignore) != 1 || c.Ignore[0].Rules[0] != "create-index-non-concurrently" {
		t.Errorf("parsed %+v", c)
	}
	err = c.ErrorAt("create-index-non-concurrently", "boom")
	if !strings.HasPrefix(err.Error(), "phasegate.yml:12:13: boom") {
		t.Errorf("ErrorAt = %v", err)
	}
	if err := c.FormatErrorf("migrations.format: %s", "bad"); err.Error() != "phasegate.yml:4:11: migrations.format: bad" {
		t.Errorf("FormatErrorf = %v", err)
	}
}

func TestUnknownKeysHavePositions(t *testing.T) {
	cases := map[string]string{
		"migrations:\n  dirr: x\n":          `phasegate.yml:2:3: unknown key "dirr" in migrations; did you mean "dir"? The keys are alembic_config, deferred_dir, dir, django_settings, format, python`,
		"postgress:\n  version: 1\n":        `phasegate.yml:1:1: unknown key "postgress" in the config; did you mean "postgres"? The keys are`,
		"tests:\n  recrod: false\n":         `did you mean "record"? The keys are command, env, env_names, record, rerun, results, scenarios, timeout`,
		"ignore:\n  - path: a\n    rule: x": `phasegate.yml:3:5: unknown key "rule" in ignore[]; did you mean "rules"? The keys are`,
		"tests:\n  zzz: 1\n":                `unknown key "zzz" in tests; the keys are`,
		"postgres:\n  version: sixteen\n":   `phasegate.yml:2:12: postgres.version must be a whole number, not "sixteen"`,
		"postgres:\n  version: 15.5\n":      `phasegate.yml:2:12: postgres.version must be a whole number, not "15.5"`,
		"postgres:\n  version: [16]\n":      `phasegate.yml:2:12: postgres.version must be a whole number, not a list`,
		"postgres:\n  version: \"16\"\n":    `phasegate.yml:2:12: postgres.version must be a whole number, not the quoted string "16" (write it without quotes)`,
		"postgres:\n  pull: maybe\n":        `phasegate.yml:2:9: postgres.pull must be true or false, not "maybe"`,
		"migrations:\n  format: flywya\n":   `phasegate.yml:2:11: migrations.format: unknown migration format "flywya"; did you mean "flyway"?`,
		"migrations:\n  dir: {a: 1}\n":      `phasegate.yml:2:8: migrations.dir must be a string, not a mapping`,
		"migrations: [1, 2]\n":              "phasegate.yml:1:13: migrations must be a mapping",
		"rules: {a: b\n":                    "phasegate.yml: ",
		"tests:\n  timeout: 15 minutes\n":   `phasegate.yml:2:12: tests.timeout "15 minutes" is not a duration: give one such as 15m`,
		"followup:\n  snooze: 0s\n":         `phasegate.yml:2:11: followup.snooze "0s" is not a duration`,
	}
	for _, src := range []string{"postgres:\n  pull: yes\n  version: 15\n", "postgres:\n  version:\n", "tests:\n  command: 123\n"} {
		if _, err := Parse("phasegate.yml", []byte(src)); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
	for src, want := range cases {
		_, err := Parse("phasegate.yml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to contain %q", src, err, want)
		}
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	c, err := Find(root, "")
	if err != nil || c.Path != "" {
		t.Fatalf("no file: %+v %v", c, err)
	}
	os.MkdirAll(filepath.Join(root, ".github"), 0o755)
	os.WriteFile(filepath.Join(root, ".github/phasegate.yml"), []byte("postgres:\n  version: 13\n"), 0o644)
	os.WriteFile(filepath.Join(root, "phasegate.yml"), []byte("postgres:\n  version: 12\n"), 0o644)
	c, err = Find(root, "")
	if err != nil || c.Postgres.Version != 13 || c.Path != ".github/phasegate.yml" {
		t.Fatalf("Find = %+v %v", c, err)
	}
	_, err = Find(root, filepath.Join(root, "missing.yml"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("explicit missing: %v", err)
	}
	// A name phasegate does not read is an error, not the defaults.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, ".phasegate.yml"), []byte("postgres:\n  version: 13\n"), 0o644)
	if _, err := Find(other, ""); err == nil || !strings.Contains(err.Error(), ".phasegate.yml is not read") || !strings.Contains(err.Error(), "--config .phasegate.yml") {
		t.Errorf("misnamed: %v", err)
	}
	var ce *Error
	_, err = Parse("x.yml", []byte("bogus: 1"))
	if !errors.As(err, &ce) || ce.Line != 1 {
		t.Errorf("err = %#v", err)
	}
}

// Durations are read once, with their defaults where unset.
func TestDurations(t *testing.T) {
	c, err := Parse("phasegate.yml", []byte("tests:\n  timeout: 90s\nfollowup:\n  min_age: 0s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TestsTimeout() != 90*time.Second || c.FollowupMinAge() != 0 || c.FollowupSnooze() != 0 {
		t.Errorf("set: %v %v %v", c.TestsTimeout(), c.FollowupMinAge(), c.FollowupSnooze())
	}
	d := &Config{}
	if d.TestsTimeout() != 15*time.Minute || d.FollowupMinAge() != 24*time.Hour {
		t.Errorf("defaults: %v %v", d.TestsTimeout(), d.FollowupMinAge())
	}
}
