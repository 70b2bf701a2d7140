package lint

import (
	"context"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/source"
)

// TestPopTemplatesAcrossTheHistory: supabase/auth's way, pop templates in
// every migration, detected as pop, the base history replayed rendered
// with the configured options, the change judged against it; without the
// options, one note for the placeholder, however many files read it.
func TestPopTemplatesAcrossTheHistory(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"migrations/00_init.up.sql":                "CREATE SCHEMA IF NOT EXISTS {{ index .Options \"Namespace\" }};\nCREATE TABLE {{ index .Options \"Namespace\" }}.users (id bigint PRIMARY KEY, legacy int);",
		"migrations/20240101000000_flags.up.sql":   "ALTER TABLE {{ index .Options \"Namespace\" }}.users ADD COLUMN flags int;",
		"migrations/20240101000000_flags.down.sql": "ALTER TABLE {{ index .Options \"Namespace\" }}.users DROP COLUMN flags;",
	})
	r.Git("checkout", "-qb", "feature")
	r.Write(map[string]string{
		"migrations/20240201000000_drop_legacy.up.sql": "ALTER TABLE {{ index .Options \"Namespace\" }}.users DROP COLUMN legacy;",
	})
	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		options map[string]string
		table   string
		notes   int
	}{
		{map[string]string{"Namespace": "auth"}, "auth.users", 0},
		{nil, "pop_option_namespace.users", 1},
	} {
		res, err := Check(context.Background(), Options{Repo: repo, Base: "main", Source: source.Settings{TemplateOptions: tc.options}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Format != "pop" || len(res.Errors) != 0 {
			t.Fatalf("format %s, errors %v", res.Format, res.Errors)
		}
		if got := summary(res); got != "migrations/20240201000000_drop_legacy.up.sql: contract drop-column" {
			t.Errorf("%v: %s", tc.options, got)
		}
		if msg := res.Files[0].Statements[0].Findings[0].Message; !strings.Contains(msg, tc.table+".legacy") {
			t.Errorf("finding %q does not name %s", msg, tc.table)
		}
		var notes []string
		for _, g := range res.Gaps {
			notes = append(notes, g.Where+": "+g.Reason)
		}
		if len(notes) != tc.notes || tc.notes == 1 && (!strings.Contains(notes[0], "migrations/00_init.up.sql:1: template option \"Namespace\"") || !strings.Contains(notes[0], "(2 more files read it too)")) {
			t.Errorf("notes %q", notes)
		}
	}
}
