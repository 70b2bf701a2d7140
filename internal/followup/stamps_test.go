package followup

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/source"
)

// stampLayouts are the formats whose versions are timestamps: the version
// of a follow-up pull request's migration is the time of the run that
// made it.
var stampLayouts = map[string]layout{
	"prisma": layouts["prisma"],
	"dbmate": {source.Dbmate{}, "db/migrations",
		map[string]string{"db/migrations/20240101000000_users.sql": "-- migrate:up\nCREATE TABLE users (id int, name text);\n"},
		"db/migrations/deferred",
		map[string]string{"db/migrations/deferred/20240201000000_drop_name_contract.sql": strings.Replace(dropName, "ALTER", "\n-- migrate:up\nALTER", 1)}},
	"diesel": {source.Diesel{}, "migrations",
		map[string]string{"migrations/2024-01-01-000000_users/up.sql": "CREATE TABLE users (id int, name text);\n"},
		"migrations/.deferred",
		map[string]string{"migrations/.deferred/2024-02-01-000000_drop_name_contract/up.sql": dropName,
			"migrations/.deferred/2024-02-01-000000_drop_name_contract/down.sql": "ALTER TABLE users ADD COLUMN name text;\n"}},
	"pop": {source.Pop{}, "migrations",
		map[string]string{"migrations/20240101000000_users.up.sql": "CREATE TABLE users (id int, name text);\n"},
		"migrations-deferred",
		map[string]string{"migrations-deferred/20240201000000_drop_name_contract.up.sql": dropName}},
	"goose": {source.Goose{}, "migrations",
		map[string]string{"migrations/20240101000000_users.sql": "-- +goose Up\nCREATE TABLE users (id int, name text);\n"},
		"migrations/deferred",
		map[string]string{"migrations/deferred/20240201000000_drop_name_contract.sql": strings.Replace(dropName, "ALTER", "-- +goose Up\nALTER", 1)}},
	"golang-migrate": {source.GolangMigrate{}, "db/migrations",
		map[string]string{"db/migrations/20240101000000_users.up.sql": "CREATE TABLE users (id int, name text);\n"},
		"db/migrations/deferred",
		map[string]string{"db/migrations/deferred/20240201000000_drop_name_contract.up.sql": dropName}},
}

// TestTimestampedPullRequestStaysPut: an open follow-up pull request whose
// migration still sorts after everything on main is up to date, whenever
// the bot runs again (a second later, a day later) and however main moved
// on below it: no new commit, no force-push, no new number. Only a
// migration that sorts after it, merged on main, moves it (once).
func TestTimestampedPullRequestStaysPut(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for name, l := range stampLayouts {
		t.Run(name, func(t *testing.T) {
			w := released(t, l)
			at := func(t time.Time) { w.opts.Now = func() time.Time { return t } }
			at(t0)
			first := w.run()[0]
			if first.Action != "created" || !strings.Contains(first.Target, stamp(l.format, t0)) {
				t.Fatalf("first run: %+v", first)
			}
			number := w.openPulls()[0].Number
			unchanged := func(what string) {
				t.Helper()
				if outs := w.quiet(what); outs[0].Action != "unchanged" || outs[0].Target != first.Target {
					t.Errorf("%s: %+v", what, outs[0])
				}
			}
			at(t0.Add(time.Second))
			unchanged("a run a second later")
			at(t0.Add(24 * time.Hour))
			unchanged("a run a day later")

			// A migration made before the pull request's reaches main: the
			// pull request's still comes after it.
			w.remote.Commit("main", "orders", map[string]string{migrationAt(l, "orders", t0.Add(-time.Hour)): "-- migrate:up\n-- +goose Up\nCREATE TABLE orders (id int);\n"})
			unchanged("a run after main moved on below it")
			w.settled(0)

			// One made after it: the pull request moves after that one.
			newer := migrationAt(l, "later", t0.Add(5*time.Second))
			w.remote.Commit("main", "later", map[string]string{newer: "-- migrate:up\n-- +goose Up\nCREATE TABLE later (id int);\n"})
			outs := w.run()
			if outs[0].Action != "updated" || outs[0].Target == first.Target || !strings.Contains(outs[0].Target, stamp(l.format, t0.Add(24*time.Hour))) {
				t.Fatalf("after a newer migration reached main: %+v", outs[0])
			}
			moved := outs[0].Target
			at(t0.Add(48 * time.Hour))
			if outs := w.quiet("a run after the rebase"); outs[0].Action != "unchanged" || outs[0].Target != moved {
				t.Errorf("after the rebase: %+v", outs[0])
			}
			w.settled(number)
		})
	}
}

// stamp is a time as the format writes it in a version.
func stamp(f source.Format, t time.Time) string {
	if _, ok := f.(source.Diesel); ok {
		return t.UTC().Format("2006-01-02-150405")
	}
	return t.UTC().Format("20060102150405")
}

// migrationAt is the path of a migration called name made at t.
func migrationAt(l layout, name string, t time.Time) string {
	existing := []source.Migration{{Version: "20240101000000"}}
	return l.format.(source.Namer).NextPath(l.dir, existing, name, t)
}

// TestRerunsStraddlingASecond: the reruns of the per-format test made at
// real time names a new timestamp whenever they straddle a second; at
// fixed times a second apart, every format's rerun is unchanged.
func TestRerunsStraddlingASecond(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 12, 0, 0, 999_000_000, time.UTC)
	for name, l := range layouts {
		t.Run(name, func(t *testing.T) {
			w := released(t, l)
			w.opts.Now = func() time.Time { return t0 }
			first := w.run()[0]
			w.opts.Now = func() time.Time { return t0.Add(time.Millisecond) }
			if outs := w.quiet("the rerun"); outs[0].Action != "unchanged" || outs[0].Target != first.Target {
				t.Errorf("rerun a millisecond (and a second) later: %+v, first %s", outs[0], path.Base(first.Target))
			}
		})
	}
}
