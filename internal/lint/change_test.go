package lint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/source"
)

func check(t *testing.T, r *gittest.Repo, base, head string) *Result {
	t.Helper()
	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(context.Background(), Options{Repo: repo, Base: base, Head: head})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summary renders the verdicts as "path: phase rule..." lines.
func summary(res *Result) string {
	var lines []string
	for _, f := range res.Files {
		var parts []string
		for _, fd := range f.Findings {
			parts = append(parts, fd.Rule.ID)
		}
		for _, s := range f.Statements {
			p := s.Phase.String()
			for _, fd := range s.Findings {
				if fd.Rule.ID != "missing-lock-timeout" && fd.Severity > checker.Info {
					p += " " + fd.Rule.ID
				}
			}
			parts = append(parts, p)
		}
		lines = append(lines, f.Migration.Path+": "+strings.Join(parts, ", "))
	}
	return strings.Join(lines, "\n")
}

func TestCheckJudgesOnlyTheChange(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"db/migrations/0001_users.up.sql":   "CREATE TABLE users (id bigint PRIMARY KEY, name text, email varchar(100));",
		"db/migrations/0001_users.down.sql": "DROP TABLE users;",
		"db/migrations/0002_idx.up.sql":     "CREATE INDEX users_name_idx ON users (name);",
	})
	r.Git("checkout", "-qb", "feature")
	r.Commit("feature", map[string]string{
		"db/migrations/0003_more.up.sql": "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\nALTER TABLE users DROP COLUMN name;",
	})
	// Uncommitted work counts when the head is the work tree.
	r.Write(map[string]string{"db/migrations/0004_new.up.sql": "CREATE TABLE t (id int);\nCREATE INDEX t_idx ON t (id);"})

	res := check(t, r, "main", "")
	want := "db/migrations/0003_more.up.sql: expand, contract drop-column\ndb/migrations/0004_new.up.sql: expand, expand"
	if got := summary(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if res.Format != "golang-migrate" || res.Dir != "db/migrations" {
		t.Errorf("located %s %s", res.Dir, res.Format)
	}
	// At a commit, the work tree's untracked file is not part of the change.
	res = check(t, r, "main", "feature")
	if got := summary(res); strings.Contains(got, "0004") {
		t.Errorf("--head feature judged the untracked file:\n%s", got)
	}
}

func TestHistoryFindings(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"migrations/0001_users.up.sql": "CREATE TABLE users (id bigint, name text);\nCREATE TABLE gone (id int);",
		"migrations/0005_orgs.up.sql":  "CREATE TABLE orgs (id bigint);",
		"migrations/0006_x.up.sql":     "CREATE TABLE x (id bigint);",
	})
	r.Git("checkout", "-qb", "feature")
	r.Commit("feature", map[string]string{
		// edited: one statement changed, one kept
		"migrations/0001_users.up.sql": "CREATE TABLE users (id bigint, name text);\nCREATE TABLE gone (id int, extra int);",
		// sorts before 0006, which production has applied
		"migrations/0003_late.up.sql": "ALTER TABLE users ADD COLUMN bio text;",
		"migrations/0006_x.up.sql":    "",
	})
	res := check(t, r, "main", "")
	got := summary(res)
	for _, want := range []string{
		"migrations/0001_users.up.sql: edited-migration, expand", // only the changed statement is judged
		"migrations/0003_late.up.sql: out-of-order-migration, expand",
		"migrations/0006_x.up.sql: removed-migration",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if res.Changed["migrations/0006_x.up.sql"] != git.Deleted || res.Changed["migrations/0001_users.up.sql"] != git.Modified {
		t.Errorf("Changed = %v", res.Changed)
	}
}

// A cosmetic edit to an old migration must not make its objects look new:
// the later contract in the same change is still a contract.
func TestEditedMigrationKeepsOrigins(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"db/migrations/0001_init.up.sql": "CREATE TABLE users (id bigint, email text, legacy text);",
	})
	r.Git("checkout", "-qb", "feature")
	r.Commit("feature", map[string]string{
		"db/migrations/0001_init.up.sql": "-- initial schema\nCREATE TABLE users (id bigint, email text, legacy text);",
		"db/migrations/0002_drop.up.sql": "ALTER TABLE users DROP COLUMN legacy;\nCREATE INDEX users_email ON users (email);",
	})
	got := summary(check(t, r, "main", ""))
	want := "db/migrations/0002_drop.up.sql: contract drop-column, expand create-index-non-concurrently"
	if !strings.Contains(got, want) {
		t.Errorf("missing %q in\n%s", want, got)
	}
}

func TestConfigSeverityAndGapNotes(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"db/1_a.sql": "-- +goose Up\nDO $$ BEGIN EXECUTE 'CREATE TABLE t ' || '(c varchar(10))'; END $$;\n-- +goose Down\nSELECT 1;",
	})
	r.Commit("change", map[string]string{
		"db/2_b.sql": "-- +goose Up\nALTER TABLE t ALTER COLUMN c TYPE varchar(20);\n",
	})
	repo, _ := git.Open(r.Dir)
	res, err := Check(context.Background(), Options{Repo: repo, Base: "HEAD~1", Checker: checker.Options{Severity: map[string]checker.Severity{"change-column-type": checker.Off}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "goose" || len(res.Gaps) != 1 || !strings.Contains(res.Gaps[0].Where, "db/1_a.sql:2") {
		t.Fatalf("format %s gaps %+v", res.Format, res.Gaps)
	}
	got := summary(res)
	if !strings.Contains(got, "db/2_b.sql: expand alter-column-type-rewrite") {
		t.Errorf("got %s", got)
	}
}

func TestLocateErrors(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"svc-a/migrations/1_a.up.sql": "SELECT 1;",
		"svc-b/db/V1__a.sql":          "SELECT 1;",
		"testdata/migrations/1.sql":   "SELECT 1;",
	})
	repo, _ := git.Open(r.Dir)
	_, err := Check(context.Background(), Options{Repo: repo, Base: "HEAD"})
	if err == nil || !strings.Contains(err.Error(), "svc-a/migrations (golang-migrate), svc-b/db (flyway)") || !strings.Contains(err.Error(), "set migrations.dir") {
		t.Errorf("err = %v", err)
	}
	if _, err := Check(context.Background(), Options{Repo: repo, Base: "HEAD", Dir: "svc-b/db"}); err != nil {
		t.Errorf("with dir: %v", err)
	}
	_, err = Check(context.Background(), Options{Repo: repo, Base: "HEAD", Dir: "nope"})
	if err == nil || !strings.Contains(err.Error(), `migrations.dir "nope" does not exist`) {
		t.Errorf("missing dir: %v", err)
	}
	// A misspelt format is the error, with or without a directory, even
	// one that does not exist.
	for _, dir := range []string{"", "svc-b/db", "nope"} {
		_, err = Check(context.Background(), Options{Repo: repo, Base: "HEAD", Dir: dir, Format: "flywya"})
		if err == nil || !strings.HasPrefix(err.Error(), `unknown migration format "flywya"; did you mean "flyway"?`) {
			t.Errorf("dir %q, format flywya: %v", dir, err)
		}
	}
	_, err = Check(context.Background(), Options{Repo: repo, Base: "release-9"})
	if err == nil || !strings.Contains(err.Error(), `revision "release-9" not found`) {
		t.Errorf("missing base: %v", err)
	}
}

func TestShallowCloneSaysFetchDepth(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"m/1_a.up.sql": "SELECT 1;"})
	r.Commit("two", map[string]string{"m/2_b.up.sql": "SELECT 2;"})
	r.Git("branch", "old", "HEAD~1")
	clone := gittest.New(t)
	clone.Git("fetch", "-q", "--depth", "1", "file://"+r.Dir, "main:refs/remotes/origin/main")
	clone.Git("checkout", "-q", "-b", "work", "origin/main")
	repo, _ := git.Open(clone.Dir)
	// The base was not fetched at all.
	_, err := Check(context.Background(), Options{Repo: repo, Base: "old"})
	if err == nil || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("unfetched base: err = %v", err)
	}
	// The base was fetched, but the history that joins it to the head was not.
	clone.Git("fetch", "-q", "--depth", "1", "file://"+r.Dir, "old:refs/remotes/origin/old")
	_, err = Check(context.Background(), Options{Repo: repo, Base: "old"})
	if err == nil || !strings.Contains(err.Error(), "no merge base") || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("cut history: err = %v", err)
	}
}

// The merge base is asked for by name beside resolving the revisions; it
// must be the one git gives for the resolved commits, also when the base
// exists only as a remote-tracking branch (a CI checkout), where the
// named ask fails and the resolved commits are asked again.
func TestMergeBaseByNameAndByRemote(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"m/1_a.up.sql": "SELECT 1;"})
	r.Git("checkout", "-qb", "feature")
	r.Commit("two", map[string]string{"m/2_b.up.sql": "SELECT 2;"})
	r.Git("checkout", "-q", "main")
	r.Commit("three", map[string]string{"m/3_c.up.sql": "SELECT 3;"}) // main moves on: the merge base is not main's tip
	r.Git("checkout", "-q", "feature")
	want := strings.TrimSpace(r.Git("merge-base", "main", "feature"))
	if tip := strings.TrimSpace(r.Git("rev-parse", "main")); tip == want {
		t.Fatal("the merge base is main's tip: the test would not tell them apart")
	}
	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(context.Background(), Options{Repo: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if res.BaseCommit != want {
		t.Errorf("base main: merge base %s, want %s", res.BaseCommit, want)
	}
	// The merge base OpenChange asks for beside the work tree's top is
	// the one Check uses; asked for other names, Check asks git again.
	ahead, err := git.OpenChange(context.Background(), filepath.Join(r.Dir, "m"), "main", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if ahead.Root != repo.Root {
		t.Errorf("OpenChange from a subdirectory: root %s, want %s", ahead.Root, repo.Root)
	}
	if res, err := Check(context.Background(), Options{Repo: ahead, Base: "main"}); err != nil || res.BaseCommit != want {
		t.Errorf("OpenChange, base main: merge base %v, %v; want %s", res, err, want)
	}
	if res, err := Check(context.Background(), Options{Repo: ahead, Base: "main", Head: "main"}); err != nil || res.BaseCommit != strings.TrimSpace(r.Git("rev-parse", "main")) {
		t.Errorf("OpenChange for HEAD, then --head main: merge base %v, %v; want main's tip", res, err)
	}
	// As in a CI checkout: main only as origin/main.
	r.Git("update-ref", "refs/remotes/origin/main", "main")
	r.Git("branch", "-D", "main")
	res, err = Check(context.Background(), Options{Repo: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if res.BaseCommit != want {
		t.Errorf("base origin/main: merge base %s, want %s", res.BaseCommit, want)
	}
	if ahead, err = git.OpenChange(context.Background(), r.Dir, "main", "HEAD"); err != nil {
		t.Fatalf("OpenChange with a base git cannot read by name: %v", err)
	}
	if res, err := Check(context.Background(), Options{Repo: ahead, Base: "main"}); err != nil || res.BaseCommit != want {
		t.Errorf("OpenChange, base origin/main: merge base %v, %v; want %s", res, err, want)
	}
	if _, err := git.OpenChange(context.Background(), t.TempDir(), "main", "HEAD"); err == nil || !strings.Contains(err.Error(), "is not inside a git repository") {
		t.Errorf("OpenChange outside a repository: %v", err)
	}
}

// Appending a changeset to a Liquibase changelog is how Liquibase is used:
// only the new changeset is judged, and it is not an edit. Changing an
// applied changeset is.
func TestLiquibaseAppendedChangeset(t *testing.T) {
	r := gittest.New(t)
	base := "--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE users (id bigint, legacy text);\n"
	r.Commit("base", map[string]string{"db/changelog/001.sql": base})
	r.Git("checkout", "-qb", "feature")
	r.Write(map[string]string{"db/changelog/001.sql": base + "\n--changeset ann:2\nALTER TABLE users DROP COLUMN legacy;\n"})
	got := summary(check(t, r, "main", ""))
	if want := "db/changelog/001.sql: contract drop-column"; !strings.Contains(got, want) || strings.Contains(got, "edited-migration") {
		t.Errorf("appended changeset: got\n%s\nwant %q and no edited-migration", got, want)
	}
	r.Write(map[string]string{"db/changelog/001.sql": strings.Replace(base, "legacy text", "legacy text, note text", 1)})
	if got := summary(check(t, r, "main", "")); !strings.Contains(got, "edited-migration") {
		t.Errorf("changed changeset: got\n%s", got)
	}
}

// classify reads SQL; an ORM's migrations need check, and say so.
func TestFilesRefusesRenderedFormats(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "versions"), 0o755)
	os.WriteFile(filepath.Join(dir, "versions", "0001_a.py"), []byte("revision = '1'\ndown_revision = None\n"), 0o644)
	_, err := Files([]string{filepath.Join(dir, "versions")}, FilesOptions{})
	if err == nil || !strings.Contains(err.Error(), "use phasegate check --base REF") {
		t.Errorf("directory: err = %v", err)
	}
	file := filepath.Join(dir, "versions", "0001_a.py") // a file given on its own
	_, err = Files([]string{file}, FilesOptions{Format: "alembic"})
	if err == nil || !strings.HasPrefix(err.Error(), file+": alembic migrations are judged") {
		t.Errorf("file: err = %v", err)
	}
}

// An Atlas checkpoint runs only on empty databases: it is neither judged
// nor replayed over the history it stands for.
func TestAtlasCheckpointIsNotJudged(t *testing.T) {
	r := gittest.New(t)
	files := map[string]string{
		"migrations/20240101000000_users.sql": "CREATE TABLE users (id bigint, email text);\n",
	}
	r.Commit("base", files)
	r.Git("checkout", "-qb", "feature")
	files["migrations/20240201000000_checkpoint.sql"] = "-- atlas:checkpoint\n\nCREATE TABLE users (id bigint, email text);\nCREATE INDEX users_email ON users (email);\n"
	files["migrations/20240301000000_idx.sql"] = "CREATE INDEX users_id ON users (id);\n"
	r.Write(files)
	sum, err := source.AtlasSum(os.DirFS(r.Dir), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	r.Write(map[string]string{"migrations/atlas.sum": string(sum)})
	got := summary(check(t, r, "main", ""))
	if strings.Contains(got, "checkpoint") || !strings.Contains(got, "migrations/20240301000000_idx.sql: expand create-index-non-concurrently") {
		t.Errorf("got\n%s", got)
	}
}

// A directory is a migration history: each migration is judged as the
// pull request that added it was, against the ones before it. So a rename
// in the last file is a contract (judged as one change it would be an
// expand of a column the change itself created: a false all-clear), and
// the verdict on every file is the one Check gives the pull request that
// adds it. OneChange keeps the judgement of the whole directory as one
// change.
func TestFilesJudgesADirectoryAsAHistory(t *testing.T) {
	history := []struct{ name, sql string }{
		{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"},
		{"2_name_index.up.sql", "CREATE INDEX users_name_idx ON users (name);\n"},
		{"3_rename.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n"},
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "db/migrations"), 0o755)
	for _, f := range history {
		os.WriteFile(filepath.Join(dir, "db/migrations", f.name), []byte(f.sql), 0o644)
	}
	res, err := Files([]string{filepath.Join(dir, "db/migrations")}, FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(summary(res), filepath.ToSlash(dir)+"/", "")

	// The same history, one pull request per migration, through Check.
	r := gittest.New(t)
	r.Commit("empty", map[string]string{"README": "x\n"})
	var want []string
	for _, f := range history {
		r.Git("checkout", "-qb", "add-"+f.name)
		r.Commit("add "+f.name, map[string]string{"db/migrations/" + f.name: f.sql})
		want = append(want, summary(check(t, r, "main", "")))
		r.Git("checkout", "-q", "main")
		r.Git("merge", "-q", "--ff-only", "add-"+f.name)
	}
	if got != strings.Join(want, "\n") {
		t.Errorf("classify of the directory:\n%s\nthe pull requests that added each file:\n%s", got, strings.Join(want, "\n"))
	}
	if !strings.Contains(got, "3_rename.up.sql: expand, contract rename-column") || !strings.Contains(got, "2_name_index.up.sql: expand create-index-non-concurrently") {
		t.Errorf("got\n%s", got)
	}

	res, err = Files([]string{filepath.Join(dir, "db/migrations")}, FilesOptions{OneChange: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(res); strings.Contains(got, "contract") || strings.Contains(got, "create-index-non-concurrently") {
		t.Errorf("as one change, every object is new:\n%s", got)
	}
}

// However the config writes the migrations directory ("." for the root,
// "./db/", "/db"), an edited migration is seen as edited and a new one as
// new: git is asked about the change's files under that directory, and a
// directory git cannot match would hide the edits.
func TestConfiguredDirectoryForms(t *testing.T) {
	for dir, files := range map[string][2]string{
		".":     {"0001_users.up.sql", "0002_drop.up.sql"},
		"./db/": {"db/0001_users.up.sql", "db/0002_drop.up.sql"},
		"/db":   {"db/0001_users.up.sql", "db/0002_drop.up.sql"},
		"db/.":  {"db/0001_users.up.sql", "db/0002_drop.up.sql"},
		"./":    {"db/migrations/0001_users.up.sql", "db/migrations/0002_drop.up.sql"}, // none: discovered
	} {
		r := gittest.New(t)
		r.Commit("base", map[string]string{files[0]: "CREATE TABLE users (id bigint, name text);"})
		r.Git("checkout", "-qb", "feature")
		r.Commit("feature", map[string]string{
			files[0]: "CREATE TABLE users (id bigint, name text);\nCREATE TABLE extra (id int);",
			files[1]: "ALTER TABLE users DROP COLUMN name;",
		})
		repo, err := git.Open(r.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, head := range []string{"", "HEAD"} {
			res, err := Check(context.Background(), Options{Repo: repo, Base: "main", Head: head, Dir: dir, Format: "golang-migrate", DeferredDir: "./" + path.Dir(files[0]) + "/deferred/"})
			if err != nil {
				t.Fatalf("dir %q: %v", dir, err)
			}
			got := summary(res)
			for _, want := range []string{files[0] + ": edited-migration, expand", files[1] + ": contract drop-column"} {
				if !strings.Contains(got, want) {
					t.Errorf("dir %q, head %q: missing %q in\n%s", dir, head, want, got)
				}
			}
		}
	}
}

// A deferred migration whose header the follow-up bot cannot read is an
// invalid-directive error at the header's line and column, in the work
// tree and at a commit, whatever the tool's lines below the header.
func TestDeferredHeaderError(t *testing.T) {
	for _, tc := range []struct{ format, create, path, src, want string }{
		{"golang-migrate", "db/migrations/0001_users.up.sql", "db/migrations/deferred/0002_drop_contract.up.sql",
			"-- phasegate:deferred\n--   from: db/migrations/0002_drop.up.sql\n--   after: tomorrow\nALTER TABLE users DROP COLUMN name;\n",
			`3:13: error: after: "tomorrow" is not release, deployment ENV or a date YYYY-MM-DD: the follow-up bot cannot carry this migration | write after: release`},
		{"dbmate", "db/migrations/20240101000000_users.sql", "db/migrations/deferred/20240201000000_drop_contract.sql",
			"\n-- phasegate:deferred\n--   after: deployment\n-- migrate:up\nALTER TABLE users DROP COLUMN name;\n\n-- migrate:down\n",
			`3:13: error: after: deployment needs an environment: deployment ENV, e.g. deployment production: the follow-up bot cannot carry this migration | write after: release`},
		{"goose", "migrations/00001_users.sql", "migrations/deferred/00002_drop_contract.sql",
			"-- +goose Up\n-- phasegate:deferred\n--   after: 2026-12-01\nALTER TABLE users DROP COLUMN name;\n",
			`2:1: error: phasegate:deferred is not at the top of the file, where a header must be: the follow-up bot cannot carry this migration | move it`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			create := "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"
			switch tc.format {
			case "dbmate":
				create = "-- migrate:up\n" + create + "\n-- migrate:down\nDROP TABLE users;\n"
			case "goose":
				create = "-- +goose Up\n" + create
			}
			r := gittest.New(t)
			r.Commit("base", map[string]string{tc.create: create})
			r.Git("checkout", "-qb", "feature")
			r.Commit("defer the drop", map[string]string{tc.path: tc.src})
			repo, err := git.Open(r.Dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, head := range []string{"", "HEAD"} {
				res, err := Check(context.Background(), Options{Repo: repo, Base: "main", Head: head, Format: tc.format})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range res.Files {
					for _, fd := range f.Findings {
						if fd.Rule.ID == "invalid-directive" {
							got = append(got, fmt.Sprintf("%s:%s: %s: %s | %s", f.Migration.Path, fd.Pos, fd.Severity, fd.Message, fd.Fix))
						}
					}
				}
				if len(got) != 1 || !strings.HasPrefix(got[0], tc.path+":"+tc.want) {
					t.Errorf("head %q: invalid-directive findings %q, want one at %s:%s", head, got, tc.path, tc.want)
				}
			}
		})
	}
}

// classify's errors name a directory and its files as the user named
// them: an absolute path keeps its leading slash (the files are read
// through dirfs.New("/"), where /tmp/m is tmp/m), a relative one stays
// relative.
func TestFilesNamesPathsAsGiven(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "nomig")
	os.MkdirAll(empty, 0o755)
	_, err := Files([]string{empty}, FilesOptions{})
	if want := "no migrations found in " + empty + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("empty directory: err = %v, want it to start %q", err, want)
	}
	// golang-migrate's up and down files read as dbmate's: one version twice.
	mig := filepath.Join(dir, "db", "migrations")
	os.MkdirAll(mig, 0o755)
	os.WriteFile(filepath.Join(mig, "0001_users.up.sql"), []byte("CREATE TABLE users (id int);\n"), 0o644)
	os.WriteFile(filepath.Join(mig, "0001_users.down.sql"), []byte("DROP TABLE users;\n"), 0o644)
	dup := func(p string) string {
		return p + "/0001_users.up.sql: version 0001 is also used by " + p + "/0001_users.down.sql"
	}
	for arg, want := range map[string]string{
		mig:                   dup(mig),
		mig + "/":             dup(mig),
		"db/migrations":       dup("db/migrations"),
		"./db/migrations/":    dup("db/migrations"),
		"db/../db/migrations": dup("db/migrations"),
	} {
		t.Run(arg, func(t *testing.T) {
			t.Chdir(dir)
			_, err := Files([]string{arg}, FilesOptions{Format: "dbmate"})
			if err == nil || err.Error() != want {
				t.Errorf("err = %v\nwant %s", err, want)
			}
		})
	}
	t.Run(".", func(t *testing.T) {
		t.Chdir(mig)
		_, err := Files([]string{"."}, FilesOptions{Format: "dbmate"})
		if want := "0001_users.up.sql: version 0001 is also used by 0001_users.down.sql"; err == nil || err.Error() != want {
			t.Errorf("err = %v", err)
		}
	})
}

// shownAs replaces the directory only where it is a whole path, not
// inside a longer name, and leaves a message that names none alone.
func TestShownAs(t *testing.T) {
	for _, c := range []struct {
		msg, dir, arg, want string
		named               bool
	}{
		{"tmp/m/a.sql: x (see tmp/m/b.sql)", "tmp/m", "/tmp/m/", "/tmp/m/a.sql: x (see /tmp/m/b.sql)", true},
		{"open tmp/m: denied", "tmp/m", "m", "open m: denied", true},
		{"tmp/mm/a.sql and /tmp/m/b and xtmp/m/c", "tmp/m", "/tmp/m", "tmp/mm/a.sql and /tmp/m/b and xtmp/m/c", false},
		{"no plan", "tmp/m", "/tmp/m", "no plan", false},
		{"tmp/m/a.sql", "tmp/m", ".", "a.sql", true},
	} {
		got, named := shownAs(c.msg, c.dir, c.arg)
		if got != c.want || named != c.named {
			t.Errorf("shownAs(%q, %q, %q) = %q, %v; want %q, %v", c.msg, c.dir, c.arg, got, named, c.want, c.named)
		}
	}
}

// A format that lists nothing where another tool's files are would check
// nothing and pass: it is an error that names the tool the files are
// for. A directory without any migration yet (a new project) checks
// nothing and passes, once the format is given.
func TestWrongFormatIsAnError(t *testing.T) {
	r := gittest.New(t)
	r.Commit("base", map[string]string{
		"db/migrations/0001_users.up.sql":   "CREATE TABLE users (id bigint PRIMARY KEY, name text);",
		"db/migrations/0001_users.down.sql": "DROP TABLE users;",
		"db/next/README":                    "Migrations of the next service.\n",
	})
	r.Git("checkout", "-qb", "feature")
	r.Commit("feature", map[string]string{"db/migrations/0002_drop.up.sql": "ALTER TABLE users DROP COLUMN name;"})
	repo, _ := git.Open(r.Dir)
	for _, head := range []string{"", "HEAD"} {
		_, err := Check(context.Background(), Options{Repo: repo, Base: "main", Head: head, Dir: "db/migrations", Format: "flyway"})
		var fe *source.FormatError
		if !errors.As(err, &fe) || fe.Dir != "db/migrations" || fe.Format != "flyway" || fe.Like != "golang-migrate" || fe.Example != "db/migrations/0001_users.up.sql" {
			t.Errorf("head %q, golang-migrate read as flyway: %v (%+v)", head, err, fe)
		}
		res, err := Check(context.Background(), Options{Repo: repo, Base: "main", Head: head, Dir: "db/next", Format: "flyway"})
		if err != nil || len(res.Files) != 0 {
			t.Errorf("head %q, a directory without migrations yet: %v, %+v", head, err, res)
		}
		_, err = Check(context.Background(), Options{Repo: repo, Base: "main", Head: head, Dir: "db/next"})
		if !errors.As(err, &fe) || fe.Format != "" || !strings.HasPrefix(err.Error(), "no migrations found in db/next: ") {
			t.Errorf("head %q, no format and nothing to detect: %v", head, err)
		}
	}

	// classify: the directory and the example as the user named them.
	t.Chdir(r.Dir)
	for arg, example := range map[string]string{
		"db/migrations/":                         "db/migrations/0001_users.up.sql",
		filepath.Join(r.Dir, "db", "migrations"): filepath.Join(r.Dir, "db", "migrations", "0001_users.up.sql"),
	} {
		_, err := Files([]string{arg}, FilesOptions{Format: "flyway"})
		var fe *source.FormatError
		if !errors.As(err, &fe) || fe.Dir != arg || fe.Like != "golang-migrate" || fe.Example != example {
			t.Errorf("classify %s: %v (%+v)", arg, err, fe)
		}
	}
	res, err := Files([]string{"db/next"}, FilesOptions{Format: "flyway"})
	if err != nil || len(res.Files) != 0 {
		t.Errorf("classify, a directory without migrations yet: %v, %+v", err, res)
	}
}

// migrations.format without migrations.dir: the directories are
// discovered, and the format overrides detection where it lists
// migrations; where it lists none, the error names what is there.
func TestLocateFormatWithoutDir(t *testing.T) {
	gm := fstest.MapFS{
		"db/migrations/0001_users.up.sql":   {Data: []byte("CREATE TABLE users (id int);\n")},
		"db/migrations/0001_users.down.sql": {Data: []byte("DROP TABLE users;\n")},
	}
	files := func(fsys fstest.MapFS) []string {
		var out []string
		for p := range fsys {
			out = append(out, p)
		}
		return out
	}
	_, _, err := Locate(gm, files(gm), "", "flyway")
	var fe *source.FormatError
	if !errors.As(err, &fe) || fe.Dir != "db/migrations" || fe.Like != "golang-migrate" {
		t.Errorf("flyway on golang-migrate's files: %v", err)
	}
	// pop names its files as golang-migrate does: detection says
	// golang-migrate, the config says pop.
	f, dir, err := Locate(gm, files(gm), "", "pop")
	if err != nil || f.Name() != "pop" || dir != "db/migrations" {
		t.Errorf("pop: %v, %q, %v", f, dir, err)
	}
	two := fstest.MapFS{
		"db/migrations/0001_users.up.sql": {Data: []byte("CREATE TABLE users (id int);\n")},
		"sql/migrations/001_x.sql":        {Data: []byte("SELECT 1;\n")},
	}
	_, _, err = Locate(two, files(two), "", "flyway")
	if want := "no flyway migrations found in the repository, only db/migrations (golang-migrate), sql/migrations (plain); set migrations.dir and migrations.format"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("two other formats: %v", err)
	}
}
