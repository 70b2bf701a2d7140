package followup

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/source"
)

// world is a local repository with a deferred migration on main and a fake
// GitHub mirroring it.
type world struct {
	t      *testing.T
	local  *gittest.Repo
	s      *fakegithub.Server
	remote *fakegithub.Repo
	opts   Options
}

type layout struct {
	format      source.Format
	dir         string
	history     map[string]string // active migrations on main
	deferredDir string
	deferred    map[string]string // deferred migrations, committed with "(#42)"
}

var dropName = deferred.Header{After: "release", From: "x"}.String() + "ALTER TABLE users DROP COLUMN name;\n"

var layouts = map[string]layout{
	"golang-migrate": {source.GolangMigrate{}, "db/migrations",
		map[string]string{"db/migrations/0001_users.up.sql": "CREATE TABLE users (id int, name text);\n", "db/migrations/0002_orders.up.sql": "CREATE TABLE orders (id int);\n"},
		"db/migrations/deferred",
		map[string]string{"db/migrations/deferred/0003_drop_name_contract.up.sql": dropName, "db/migrations/deferred/0003_drop_name_contract.down.sql": "ALTER TABLE users ADD COLUMN name text;\n"}},
	"goose": {source.Goose{}, "migrations",
		map[string]string{"migrations/00001_users.sql": "-- +goose Up\nCREATE TABLE users (id int, name text);\n"},
		"migrations/deferred",
		map[string]string{"migrations/deferred/00002_drop_name_contract.sql": strings.Replace(dropName, "ALTER", "-- +goose Up\nALTER", 1) + "-- +goose Down\nALTER TABLE users ADD COLUMN name text;\n"}},
	"flyway": {source.Flyway{}, "db/migration",
		map[string]string{"db/migration/V1__users.sql": "CREATE TABLE users (id int, name text);\n", "db/migration/V2.1__orders.sql": "CREATE TABLE orders (id int);\n"},
		"db/migration-deferred",
		map[string]string{"db/migration-deferred/V3__drop_name_contract.sql": dropName}},
	"prisma": {source.Prisma{}, "prisma/migrations",
		map[string]string{"prisma/migrations/20240101000000_init/migration.sql": "CREATE TABLE users (id int, name text);\n"},
		"prisma/migrations-deferred",
		map[string]string{"prisma/migrations-deferred/20240201000000_drop_name_contract/migration.sql": dropName}},
}

func newWorld(t *testing.T, l layout) *world {
	t.Helper()
	w := &world{t: t, local: gittest.New(t), s: fakegithub.New()}
	t.Cleanup(w.s.Close)
	w.local.Commit("history", l.history)
	w.local.Git("tag", "v1.0.0")
	w.local.Commit("Defer dropping users.name (#42)", l.deferred)
	w.s.AddToken("bot", fakegithub.Write)
	w.remote = w.s.AddRepo("acme", "shop")
	repo, err := git.Open(w.local.Dir)
	if err != nil {
		t.Fatal(err)
	}
	client, err := github.New(github.Options{Token: "bot", APIURL: w.s.URL, Repository: "acme/shop", Retry: github.RetryPolicy{Sleep: func(time.Duration) {}}})
	if err != nil {
		t.Fatal(err)
	}
	w.opts = Options{Repo: repo, Client: client, Base: "main", Format: l.format, Dir: l.dir, DeferredDir: l.deferredDir,
		MinAge: 24 * time.Hour, Reviewers: []string{"dba"}, Now: func() time.Time { return time.Now().Add(48 * time.Hour) }}
	w.push()
	return w
}

// push mirrors the local repository into the fake GitHub.
func (w *world) push() {
	if err := w.remote.ImportGit(w.local.Dir); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) run() []Outcome {
	w.t.Helper()
	outs, err := Run(context.Background(), w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	return outs
}

func (w *world) openPulls() []fakegithub.Pull {
	var out []fakegithub.Pull
	for _, p := range w.remote.Pulls() {
		if p.State == "open" {
			out = append(out, p)
		}
	}
	return out
}

func TestNotReleasedYet(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	outs := w.run()
	if len(outs) != 1 || outs[0].Action != "waiting" || !strings.Contains(outs[0].Reason, "no release") || len(w.remote.Pulls()) != 0 {
		t.Fatalf("%+v", outs)
	}
}

func TestReleasedButTooYoung(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Git("tag", "v1.1.0")
	w.push()
	w.opts.Now = func() time.Time { return time.Now().Add(time.Hour) }
	outs := w.run()
	if outs[0].Action != "waiting" || !strings.Contains(outs[0].Reason, "v1.1.0") || !strings.Contains(outs[0].Reason, "min_age") || len(w.remote.Pulls()) != 0 {
		t.Fatalf("%+v", outs)
	}
}

func TestReleasedOpensOnePullRequestPerFormat(t *testing.T) {
	want := map[string]string{
		"golang-migrate": "db/migrations/0003_drop_name_contract.up.sql",
		"goose":          "migrations/00002_drop_name_contract.sql",
		"flyway":         "db/migration/V3__drop_name_contract.sql",
		"prisma":         "prisma/migrations/",
	}
	for name, l := range layouts {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, l)
			w.local.Git("tag", "v1.1.0")
			w.push()
			outs := w.run()
			if len(outs) != 1 || outs[0].Action != "created" || !strings.HasPrefix(outs[0].Target, want[name]) {
				t.Fatalf("%+v", outs)
			}
			pulls := w.openPulls()
			if len(pulls) != 1 {
				t.Fatalf("%d open pull requests", len(pulls))
			}
			p := pulls[0]
			if p.Head != "phasegate/contract/"+branchName(source.Migration{Path: firstKey(l.deferred)}) || p.Base != "main" ||
				!strings.Contains(p.Body, "#42") || !strings.Contains(p.Body, "v1.1.0") || !strings.Contains(p.Body, "DROP COLUMN name") ||
				strings.Join(p.Labels, ",") != "phasegate:contract" || strings.Join(p.Reviewers, ",") != "dba" {
				t.Errorf("pull request %+v", p)
			}
			files := w.remote.Files(p.Head)
			if files[outs[0].Target] != l.deferred[firstKey(l.deferred)] {
				t.Errorf("%s on the branch = %q", outs[0].Target, files[outs[0].Target])
			}
			for path := range l.deferred {
				if _, still := files[path]; still {
					t.Errorf("%s is still in the deferred directory on the branch", path)
				}
			}
			if name == "golang-migrate" && files["db/migrations/0003_drop_name_contract.down.sql"] == "" {
				t.Error("the down file did not move along")
			}
			if name == "prisma" && !strings.HasSuffix(outs[0].Target, "_drop_name_contract/migration.sql") {
				t.Errorf("prisma target %s", outs[0].Target)
			}
			// A rerun changes nothing and opens nothing.
			w.s.ClearRequests()
			outs = w.run()
			if outs[0].Action != "unchanged" || len(w.remote.Pulls()) != 1 {
				t.Errorf("rerun: %+v", outs)
			}
			for _, r := range w.s.Requests() {
				if r.IsWrite() {
					t.Errorf("rerun wrote: %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

func firstKey(m map[string]string) string {
	for k := range m {
		if !strings.Contains(k, ".down.") {
			return k
		}
	}
	return ""
}

func TestMainMovedOnUpdatesThePullRequest(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Git("tag", "v1.1.0")
	w.push()
	first := w.run()[0]
	if first.Target != "db/migrations/0003_drop_name_contract.up.sql" {
		t.Fatalf("%+v", first)
	}
	// Someone merges another migration: 0003 is taken.
	w.remote.Commit("main", "orders index", map[string]string{"db/migrations/0003_orders_idx.up.sql": "CREATE INDEX CONCURRENTLY o ON orders (id);\n"})
	outs := w.run()
	if outs[0].Action != "updated" || outs[0].Target != "db/migrations/0004_drop_name_contract.up.sql" || len(w.remote.Pulls()) != 1 {
		t.Fatalf("%+v", outs)
	}
	p := w.openPulls()[0]
	files := w.remote.Files(p.Head)
	if _, ok := files["db/migrations/0003_orders_idx.up.sql"]; !ok || files["db/migrations/0004_drop_name_contract.up.sql"] == "" {
		t.Errorf("branch not rebased onto main: %v", keys(files))
	}
	if _, stale := files["db/migrations/0003_drop_name_contract.up.sql"]; stale {
		t.Error("the old version is still on the branch")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFaultHalfWayIsRepairedByTheNextRun(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Git("tag", "v1.1.0")
	w.push()
	// Opening the pull request fails after the branch was created, and so
	// does deleting the branch: an orphan branch is left.
	w.s.Fault("POST", "/repos/acme/shop/pulls", fakegithub.Response{Status: 422, Body: `{"message":"Validation Failed"}`})
	w.s.Fault("DELETE", "/repos/acme/shop/git/refs/*", fakegithub.Response{Status: 500}, fakegithub.Response{Status: 500}, fakegithub.Response{Status: 500}, fakegithub.Response{Status: 500}, fakegithub.Response{Status: 500})
	outs := w.run()
	if outs[0].Action != "error" || len(w.remote.Pulls()) != 0 {
		t.Fatalf("%+v", outs)
	}
	outs = w.run()
	if outs[0].Action != "created" || len(w.openPulls()) != 1 {
		t.Fatalf("second run: %+v, %d pulls", outs, len(w.remote.Pulls()))
	}
	// The branch was never deleted: it may have carried a pull request.
	for _, r := range w.s.Requests() {
		if r.Method == "DELETE" {
			t.Errorf("%s %s", r.Method, r.Path)
		}
	}
}

func TestTwoDeferredMigrationsTwoPullRequests(t *testing.T) {
	l := layouts["golang-migrate"]
	w := newWorld(t, l)
	w.local.Commit("Defer dropping orders (#43)", map[string]string{"db/migrations/deferred/0004_drop_orders_contract.up.sql": deferred.Header{}.String() + "DROP TABLE orders;\n"})
	w.local.Git("tag", "v1.1.0")
	w.push()
	outs := w.run()
	if len(outs) != 2 || outs[0].Action != "created" || outs[1].Action != "created" || len(w.openPulls()) != 2 {
		t.Fatalf("%+v", outs)
	}
	if outs[0].Target == outs[1].Target {
		t.Errorf("both target %s", outs[0].Target)
	}
}

func TestClosedWithoutMergeIsNotReopened(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Git("tag", "v1.1.0")
	w.push()
	w.run()
	w.remote.ClosePull(w.openPulls()[0].Number)
	outs := w.run()
	if outs[0].Action != "closed" || len(w.openPulls()) != 0 {
		t.Fatalf("%+v", outs)
	}
	w.opts.Force = true
	outs = w.run()
	if outs[0].Action != "created" || len(w.openPulls()) != 1 {
		t.Fatalf("--force: %+v", outs)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Git("tag", "v1.1.0")
	w.push()
	w.opts.DryRun = true
	w.s.ClearRequests()
	outs := w.run()
	if outs[0].Action != "planned" || outs[0].Target == "" {
		t.Fatalf("%+v", outs)
	}
	for _, r := range w.s.Requests() {
		if r.IsWrite() {
			t.Errorf("dry run wrote: %s %s", r.Method, r.Path)
		}
	}
	if !strings.Contains(Text(outs, true), "dry run") || !strings.Contains(Markdown(outs, true), "| `db/migrations/deferred/") {
		t.Error("summary")
	}
}

func TestAfterDeploymentAndDate(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Commit("Defer to a date (#44)", map[string]string{"db/migrations/deferred/0005_later_contract.up.sql": deferred.Header{After: "2099-01-01"}.String() + "DROP TABLE orders;\n"})
	w.local.Commit("Defer to a deployment (#45)", map[string]string{"db/migrations/deferred/0006_deploy_contract.up.sql": deferred.Header{After: "deployment production"}.String() + "ALTER TABLE users DROP COLUMN id;\n"})
	w.push()
	head := strings.TrimSpace(w.local.Git("rev-parse", "HEAD"))
	dep := w.remote.AddDeployment(fakegithub.Deployment{SHA: head, Environment: "production"})
	w.remote.AddDeploymentStatus(dep.ID, fakegithub.DeploymentStatus{State: "success", CreatedAt: time.Now()})
	outs := w.run()
	got := map[string]string{}
	for _, o := range outs {
		got[o.Deferred] = o.Action + ": " + o.Reason
	}
	if !strings.HasPrefix(got["db/migrations/deferred/0005_later_contract.up.sql"], "waiting: waits until 2099-01-01") ||
		!strings.HasPrefix(got["db/migrations/deferred/0006_deploy_contract.up.sql"], "created: deployment") {
		t.Errorf("%v", got)
	}
}
