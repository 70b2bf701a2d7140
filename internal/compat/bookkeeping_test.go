package compat

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/source"
)

// migrateOnStart is a released application (testdata/compatapp/APP) whose
// test suite migrates on start with its tool, and a change that adds a
// migration.
type migrateOnStart struct {
	app    string
	format source.Format
	dir    string
	change map[string]string
	// without is what the release's migrate-on-start says about the
	// migrated database when phasegate leaves the tool's tables alone.
	without string
}

// check proves the bookkeeping both ways: without it the previous
// release's migrate-on-start fails on the database the built-in runner
// migrated; with it (the runtime check's scenarios) the previous and the
// new release find nothing to do.
func (c migrateOnStart) check(t *testing.T) {
	t.Helper()
	r := gittest.New(t)
	src, _ := filepath.Abs("../../testdata/compatapp/" + c.app)
	r.CopyDir(src)
	r.Commit("v1", nil)
	r.Git("checkout", "-qb", "feature")
	r.Write(c.change)

	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	head := os.DirFS(r.Dir)
	list, err := c.format.List(head, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Load(head, c.format, list)
	if err != nil {
		t.Fatal(err)
	}
	previousFailsWithout(t, repo, ms, "go test -count=1 ./...", c.without)

	res := run(t, r, func(o *Options) { o.Format, o.Dir, o.DeferredDir = c.format, c.dir, "" })
	if got := statuses(res); got != "baseline=pass compat=pass deploy=pass contract-ready=skipped" {
		t.Fatalf("%s\ncompat:\n%s\ndeploy:\n%s", got, scenario(res, ScenarioCompat).OutputTail+scenario(res, ScenarioCompat).Reason,
			scenario(res, ScenarioDeploy).OutputTail+scenario(res, ScenarioDeploy).Reason)
	}
}

// previousFailsWithout applies ms with the built-in runner and nothing
// else, then runs the previous release's (main's) script on the database:
// it must fail saying want.
func previousFailsWithout(t *testing.T, repo *git.Repo, ms []Migration, script, want string) {
	t.Helper()
	ctx := context.Background()
	db, err := shared.Create(ctx, "without", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Drop(ctx, db)
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Runner{}).Apply(ctx, conn, ms); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	prev, err := repo.AddWorktree(ctx, "main", "phasegate-control-")
	if err != nil {
		t.Fatal(err)
	}
	out := Command{Script: script, Dir: prev.Dir, Env: db.Env(nil), Timeout: 5 * time.Minute}.Run(ctx)
	prev.Remove()
	if out.ExitCode == 0 || !strings.Contains(out.Tail, want) {
		t.Fatalf("without the bookkeeping: exit %d, want a failure saying %q; output:\n%s", out.ExitCode, want, out.Tail)
	}
}

func TestGooseMigrateOnStart(t *testing.T) {
	migrateOnStart{app: "goose-v1", format: source.Goose{}, dir: "migrations",
		change:  map[string]string{"migrations/00002_tags.sql": "-- +goose Up\nALTER TABLE notes ADD COLUMN tags text[];\n-- +goose Down\nALTER TABLE notes DROP COLUMN tags;\n"},
		without: `relation "notes" already exists`,
	}.check(t)
}

func TestPopMigrateOnStart(t *testing.T) {
	migrateOnStart{app: "pop-v1", format: source.Pop{}, dir: "migrations",
		change: map[string]string{
			"migrations/20260106100000_tags.up.sql":   "ALTER TABLE notes ADD COLUMN tags text[];\n",
			"migrations/20260106100000_tags.down.sql": "ALTER TABLE notes DROP COLUMN tags;\n",
		},
		without: `relation "notes" already exists`,
	}.check(t)
}

func TestSQLMigrateMigrateOnStart(t *testing.T) {
	migrateOnStart{app: "sqlmigrate-v1", format: source.SQLMigrate{}, dir: "migrations",
		change:  map[string]string{"migrations/2_tags.sql": "-- +migrate Up\nALTER TABLE notes ADD COLUMN tags text[];\n\n-- +migrate Down\nALTER TABLE notes DROP COLUMN tags;\n"},
		without: `relation "notes" already exists`,
	}.check(t)
}

// TestSqitchMigrateOnStart runs the real sqitch (Debian's package; .ci/run
// installs it).
func TestSqitchMigrateOnStart(t *testing.T) {
	if _, err := exec.LookPath("sqitch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sqitch is not installed (apt-get install sqitch libdbd-pg-perl; .ci/run does)")
		}
		t.Skip("sqitch is not installed (apt-get install sqitch libdbd-pg-perl)")
	}
	plan, err := os.ReadFile("../../testdata/compatapp/sqitch-v1/sqitch.plan")
	if err != nil {
		t.Fatal(err)
	}
	migrateOnStart{app: "sqitch-v1", format: source.Sqitch{}, dir: ".",
		change: map[string]string{
			"sqitch.plan":     string(plan) + "\ntags [notes] 2026-01-06T10:00:00Z Ada Lovelace <ada@example.com> # Tags on notes.\n",
			"deploy/tags.sql": "BEGIN;\nALTER TABLE notes ADD COLUMN tags text[];\nCOMMIT;\n",
			"revert/tags.sql": "BEGIN;\nALTER TABLE notes DROP COLUMN tags;\nCOMMIT;\n",
			"verify/tags.sql": "SELECT tags FROM notes WHERE false;\n",
		},
		without: `relation "notes" already exists`,
	}.check(t)
}
