package deferred

import (
	"strings"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	h := Header{After: "deployment production", From: "db/migrations/0003_x.up.sql", PR: 42, Commit: "abc123"}
	src := h.String() + "ALTER TABLE users DROP COLUMN name;\n"
	got, ok, err := Parse([]byte(src))
	if err != nil || !ok || got != h {
		t.Fatalf("Parse = %+v, %v, %v", got, ok, err)
	}
	c, err := got.Condition()
	if err != nil || c.Kind != AfterDeployment || c.Env != "production" {
		t.Errorf("Condition = %+v, %v", c, err)
	}
	if s := string(Strip([]byte(src))); s != "ALTER TABLE users DROP COLUMN name;\n" {
		t.Errorf("Strip = %q", s)
	}
}

func TestParse(t *testing.T) {
	if _, ok, err := Parse([]byte("ALTER TABLE t DROP COLUMN c;")); ok || err != nil {
		t.Errorf("no header: ok=%v err=%v", ok, err)
	}
	h, ok, err := Parse([]byte("\n-- phasegate:deferred\nDROP TABLE t;"))
	if !ok || err != nil || h.After != "release" {
		t.Errorf("bare header: %+v %v %v", h, ok, err)
	}
	for src, want := range map[string]string{
		"-- phasegate:deferred\n--   after: someday\n":  "not release, deployment ENV or a date",
		"-- phasegate:deferred\n--   pr: forty-two\n":   "2:1: pr:",
		"-- phasegate:deferred\n--   owner: alice\n":    `unknown header key "owner"`,
		"-- phasegate:deferred\n--   after: deployment": "needs an environment",
	} {
		if _, _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", src, err, want)
		}
	}
	h, _, _ = Parse([]byte("-- phasegate:deferred\n--   after: 2026-12-01\n"))
	if c, _ := h.Condition(); c.Kind != AfterDate || c.Date.Day() != 1 {
		t.Errorf("date condition = %+v", c)
	}
}

func TestDir(t *testing.T) {
	for format, want := range map[string]string{
		"golang-migrate": "db/migrations/deferred", "goose": "db/migrations/deferred", "dbmate": "db/migrations/deferred",
		"diesel": "db/migrations/.deferred", "flyway": "db/migrations-deferred", "prisma": "db/migrations-deferred",
		"pop": "db/migrations-deferred", "plain": "db/migrations-deferred",
	} {
		if got := Dir(format, "db/migrations"); got != want {
			t.Errorf("Dir(%s) = %s, want %s", format, got, want)
		}
		if !IsDeferredDir(want) {
			t.Errorf("IsDeferredDir(%s) = false", want)
		}
	}
}

// A migration written in Python carries the header as # comments above its
// docstring; a # comment that is not the header is not one.
func TestPythonHeader(t *testing.T) {
	h := Header{After: "release", From: "migrations/versions/0002_display_name.py", PR: 7}
	src := h.Comment("#") + "\"\"\"display name: the contract\"\"\"\nfrom alembic import op\n"
	got, ok, err := Parse([]byte(src))
	if err != nil || !ok || got != h {
		t.Fatalf("Parse = %+v, %v, %v\n%s", got, ok, err, src)
	}
	if _, ok, _ := Parse([]byte("# phasegate: deferred?\nfrom alembic import op\n")); ok {
		t.Error("a comment that is not the header was read as one")
	}
}
