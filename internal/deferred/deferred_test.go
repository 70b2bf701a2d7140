package deferred

import (
	"io/fs"
	"os"
	"path/filepath"
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
		"-- phasegate:deferred\n--   after: someday\n":  `2:13: after: "someday" is not release, deployment ENV or a date YYYY-MM-DD; write after: release, after: deployment ENV (e.g. after: deployment production) or after: YYYY-MM-DD (e.g. after: 2026-12-01)`,
		"-- phasegate:deferred\n--   pr: forty-two\n":   `2:10: pr: "forty-two" is not a pull request number; write the number`,
		"-- phasegate:deferred\n--   owner: alice\n":    `2:6: unknown header key "owner"; the keys are after, from, pr, commit (a comment below the header needs a blank line above it)`,
		"-- phasegate:deferred\n--   after: deployment": `2:13: after: deployment needs an environment: deployment ENV, e.g. deployment production; write after:`,
		"-- phasegate:deferred\n--   after:\n":          `2:12: after: "" is not release`,
		// Where the line is: below Liquibase's first line and a key, in a
		// file with a byte order mark and CRLF line ends; columns count
		// characters.
		"--liquibase formatted sql\r\n-- phasegate:deferred\r\n--   from: é.sql\r\n--   after: 2026-13-40\r\n": `4:13: after: "2026-13-40" is not a date YYYY-MM-DD (month out of range)`,
		"\ufeff-- phasegate:deferred\n--   after: relase\n":                                                    `2:13: after: "relase" is not release, deployment ENV or a date YYYY-MM-DD; did you mean release?`,
		"-- phasegate:deferred\n--   after: release\n--   After: 2026-12-01\n":                                 `3:6: after: given twice (first at line 2); keep one`,
		// A header that is not on top is none, and says so.
		"-- +goose Up\n  -- phasegate:deferred\n--   after: 2026-12-01\nDROP TABLE t;\n": `2:3: phasegate:deferred is not at the top of the file, where a header must be; move it, with its key lines, to the top`,
		"-- phasegate:deferred\nDROP TABLE t;\n-- PHASEGATE:deferred\n":                  `3:1: a second phasegate:deferred (the file's header is at line 1); remove this one`,
	} {
		if _, _, err := Parse([]byte(src)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: err = %v, want %s", src, err, want)
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

// The header ends where the migration starts: a tool's directive that
// reads like a key (dbmate's "-- migrate:up", Atlas's "-- atlas:txmode",
// Liquibase's "--changeset ann:2") or a comment of the migration is not
// part of it; a lower-case word and ": " is a misspelt key.
func TestHeaderEnd(t *testing.T) {
	const top = "-- phasegate:deferred\n--   after: 2026-12-01\n--   from: db/migrations/0002_x.sql\n"
	for _, below := range []string{
		"-- migrate:up transaction:false\nALTER TABLE t DROP COLUMN c;\n",
		"-- atlas:txmode none\n\nALTER TABLE t DROP COLUMN c;\n",
		"--changeset ann:2-contract runInTransaction:false\nALTER TABLE t DROP COLUMN c;\n",
		"-- Note: the new code no longer reads c.\nALTER TABLE t DROP COLUMN c;\n",
		"-- +goose Up\n-- +goose StatementBegin\nDROP TABLE t;\n-- +goose StatementEnd\n",
		"\n-- note: the new code no longer reads c.\nALTER TABLE t DROP COLUMN c;\n",
		"-- phasegate:ignore drop-column unused since v2\nALTER TABLE t DROP COLUMN c;\n",
	} {
		src := top + below
		h, ok, err := Parse([]byte(src))
		if !ok || err != nil || h.After != "2026-12-01" || h.From != "db/migrations/0002_x.sql" {
			t.Errorf("Parse(%q) = %+v, %v, %v", src, h, ok, err)
		}
		if got := string(Strip([]byte(src))); got != below {
			t.Errorf("Strip(%q) = %q, want %q", src, got, below)
		}
	}
	// A header key in another case or without a space is still one.
	if h, _, err := Parse([]byte("# phasegate:deferred\n# After:2026-12-01\n\"\"\"doc\"\"\"\n")); err != nil || h.After != "2026-12-01" {
		t.Errorf("After:2026-12-01 = %+v, %v", h, err)
	}
	for src, want := range map[string]string{
		top + "-- note: the new code no longer reads c.\n": `4:4: unknown header key "note"; the keys are after, from, pr, commit (a comment below the header needs a blank line above it)`,
		top + "--   aftr: release\n":                       `4:6: unknown header key "aftr"; the keys are after, from, pr, commit; did you mean after?`,
	} {
		if _, _, err := Parse([]byte(src)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %s", src, err, want)
		}
	}
}

// The deferred migrations split writes, in every format, read back
// without error, with the migration they came from.
func TestSplitHeadersParse(t *testing.T) {
	n := 0
	for _, root := range []string{"../../testdata/split", "../../testdata/alembicsplit", "../../testdata/alembicapp", "../../testdata/djangoapp"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.Contains(filepath.ToSlash(p), "deferred") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil || !strings.Contains(string(src), "phasegate:deferred") {
				return err
			}
			n++
			h, ok, err := Parse(src)
			if !ok || err != nil || h.From == "" {
				t.Errorf("%s: Parse = %+v, %v, %v", p, h, ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 20 {
		t.Errorf("%d deferred migrations in testdata, want 20 or more", n)
	}
}

// A migration whose first line would read as a header key is kept apart
// from the header by a blank line; others are left as they are.
func TestSeparate(t *testing.T) {
	h := Header{After: "release", From: "db/migrations/0002_x.sql"}
	for body, want := range map[string]string{
		"-- note: c is unused\nALTER TABLE t DROP COLUMN c;\n": h.String() + "\n-- note: c is unused\nALTER TABLE t DROP COLUMN c;\n",
		"-- migrate:up\nALTER TABLE t DROP COLUMN c;\n":        h.String() + "-- migrate:up\nALTER TABLE t DROP COLUMN c;\n",
		"ALTER TABLE t DROP COLUMN c;\n":                       h.String() + "ALTER TABLE t DROP COLUMN c;\n",
	} {
		got := Separate(h.String()+body, h.String())
		if got != want {
			t.Errorf("Separate(%q) = %q, want %q", body, got, want)
		}
		if back, _, err := Parse([]byte(got)); err != nil || back != h {
			t.Errorf("%q reads back as %+v, %v", got, back, err)
		}
	}
	lb := "--liquibase formatted sql\n" + h.String() + "-- pr: 7 was the last\n--changeset a:1\nDROP TABLE t;\n"
	if got := Separate(lb, h.String()); !strings.Contains(got, h.String()+"\n-- pr: 7") {
		t.Errorf("Separate(Liquibase) = %q", got)
	}
}

// ParseAfter is the one reader of a release condition: the header's and
// split's --after.
func TestParseAfter(t *testing.T) {
	for in, want := range map[string]string{
		"release":                "release",
		" release ":              "release",
		"deployment production":  "deployment production",
		"deployment   eu west":   "deployment eu west",
		"deployment\tproduction": "deployment production",
		"2026-12-01":             "2026-12-01",
		"tomorrow":               `"tomorrow" is not release, deployment ENV or a date YYYY-MM-DD`,
		"deploymentproduction":   `"deploymentproduction" is not release, deployment ENV or a date YYYY-MM-DD; did you mean deployment?`,
		"Release":                `"Release" is not release, deployment ENV or a date YYYY-MM-DD; did you mean release?`,
		"deployment":             "deployment needs an environment: deployment ENV, e.g. deployment production",
		"deployment ":            "deployment needs an environment: deployment ENV, e.g. deployment production",
		"2026-13-40":             `"2026-13-40" is not a date YYYY-MM-DD (month out of range)`,
		"2026-02-30":             `"2026-02-30" is not a date YYYY-MM-DD (day out of range)`,
		"2026-1-5":               `"2026-1-5" is not a date YYYY-MM-DD (four digits for the year, two for the month and the day)`,
		"":                       `"" is not release, deployment ENV or a date YYYY-MM-DD`,
	} {
		c, err := ParseAfter(in)
		got := c.String()
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ParseAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
