package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/gittest"
)

const alembicRelease2 = "migrations/versions/0002_release2.py"

// alembicSplitRepo builds testdata/alembicsplit: release 1 on main, tagged
// v1.0.0, and release 2 (new code, and a revision that renames a column and
// a table, adds a required column and drops a column release 2 stopped
// using) on a branch, in the work tree.
func alembicSplitRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	needPython(t, "alembic", "sqlalchemy", "psycopg2")
	r := gittest.New(t)
	src, _ := filepath.Abs("../../testdata/alembicsplit/v1")
	r.CopyDir(src)
	r.Commit("release 1", nil)
	r.Git("tag", "v1.0.0")
	r.Git("checkout", "-qb", "release-2")
	copyTree(t, "../../testdata/alembicsplit/v2", r.Dir) // v2 holds what differs from v1
	return r
}

// The header of a deferred Alembic revision is read where it is written,
// as # comments of the .py file: a bad after is an error at its line and
// column there, not in the SQL Alembic renders.
func TestAlembicDeferredHeader(t *testing.T) {
	r := alembicSplitRepo(t)
	if res := phasegate(t, r.Dir, nil, "split", "--base", "main", "--emit-sql", "--after", "deployment production", alembicRelease2); res.code != 0 {
		t.Fatalf("split --emit-sql: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	const rev = "migrations/deferred/0002_release2_contract.py"
	src := readFile(t, filepath.Join(r.Dir, rev))
	if !strings.HasPrefix(src, "# phasegate:deferred\n#   after: deployment production\n") {
		t.Fatalf("%s does not start with its header:\n%s", rev, src)
	}
	os.WriteFile(filepath.Join(r.Dir, rev), []byte(strings.Replace(src, "after: deployment production", "after: deployment", 1)), 0o644)
	res := phasegate(t, r.Dir, nil, "check", "--base", "main", "--static-only")
	want := rev + ":2:12: invalid-directive: error: after: deployment needs an environment"
	if res.code != 1 || !strings.Contains(res.stdout, want) {
		t.Errorf("check: exit %d, want 1 and %q:\n%s\n%s", res.code, want, res.stdout, res.stderr)
	}
}

// TestAlembicSplitKeepsEveryReleaseWorking is TestSplitKeepsEveryReleaseWorking
// on an Alembic app: the check fails on the revision as written; split
// --emit-sql cuts it; the check then passes in all four states of
// production; Alembic itself runs the cut revision (and its downgrade) on
// PostgreSQL, where each release reads what the other writes; and once
// release 2 ships, the revision that applies the deferred SQL passes too.
func TestAlembicSplitKeepsEveryReleaseWorking(t *testing.T) {
	img := testImage(t)
	pg := []string{"--postgres-image", img, "--no-pull"}
	r := alembicSplitRepo(t)
	run := func(args ...string) result {
		t.Helper()
		return phasegate(t, r.Dir, nil, args...)
	}

	// 1. As written, the revision breaks release 1 while it still serves.
	res := run(append([]string{"check", "--base", "main"}, pg...)...)
	if res.code != 1 || !strings.Contains(scenarioLine(res.stdout, "compat"), "FAIL") || !strings.Contains(res.stdout, "the previous release still uses users.name") {
		t.Fatalf("before the split the compat scenario must fail on users.name: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}

	// 2. split says what it would do, then does it.
	res = run("split", "--base", "main", alembicRelease2)
	if res.code != 0 || !strings.Contains(res.stdout, "--emit-sql rewrites 0002_release2.py") {
		t.Fatalf("split: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if out := r.Git("status", "--porcelain", "migrations"); out != "?? migrations/versions/0002_release2.py" {
		t.Fatalf("split without --emit-sql changed the tree:\n%s", out)
	}
	res = run("split", "--base", "main", "--emit-sql", alembicRelease2)
	if res.code != 0 {
		t.Fatalf("split --emit-sql: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"rewrite line 16: RENAME COLUMN name TO full_name", "rewrite line 17: RENAME TO memos", "rewrite line 19: ADD COLUMN plan ... NOT NULL", "rewrite line 21: DROP COLUMN legacy_flags"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("split output lacks %q:\n%s", want, res.stdout)
		}
	}
	// What the real Alembic rendered gives testdata/alembicsplit/split,
	// the golden result of split's own test.
	for _, p := range []string{alembicRelease2, "migrations/deferred/0002_release2_contract.py"} {
		want := readFile(t, filepath.Join("../../testdata/alembicsplit/split", p))
		if got := readFile(t, filepath.Join(r.Dir, p)); got != want {
			t.Errorf("%s after split:\n%s\nwant (testdata/alembicsplit/split):\n%s", p, got, want)
		}
	}

	// 3. Every state of production works.
	res = run(append([]string{"check", "--base", "main"}, pg...)...)
	allPass(t, "after the split", res)
	if !strings.Contains(res.stdout, "0 contract, 0 unknown") {
		t.Errorf("after the split nothing active should wait for the next release:\n%s", res.stdout)
	}
	if t.Failed() {
		t.FailNow()
	}

	// 4. Alembic itself runs the cut revision, and both releases share the
	// rows.
	bothReleases(t, r, img)
	r.Commit("Release 2: full_name, memos, plan; stop using legacy_flags (#12)", nil)

	// 5. Release 2 ships; the follow-up bot carries the deferred SQL into a
	// revision after 0002, its header kept, and its check passes.
	r.Git("checkout", "-q", "main")
	r.Git("merge", "-q", "--no-ff", "-m", "Merge pull request #12 from acme/release-2", "release-2")
	r.Git("tag", "v2.0.0")
	remote, env := followupRemote(t, r.Dir)
	res = phasegate(t, r.Dir, env, "followup")
	pulls := remote.Pulls()
	if res.code != 0 || len(pulls) != 1 {
		t.Fatalf("followup: exit %d, %d pull requests\n%s\n%s", res.code, len(pulls), res.stdout, res.stderr)
	}
	if !strings.Contains(pulls[0].Body, "ALTER TABLE users DROP COLUMN IF EXISTS name;\n") {
		t.Errorf("the follow-up pull request should show the SQL the deferred revision runs:\n%s", pulls[0].Body)
	}
	if _, err := remote.ExportRef(r.Dir, "refs/heads/"+pulls[0].Head); err != nil {
		t.Fatal(err)
	}
	r.Git("checkout", "-q", pulls[0].Head)
	if _, err := os.Stat(filepath.Join(r.Dir, "migrations/deferred/0002_release2_contract.py")); err == nil {
		t.Error("the follow-up left the deferred revision in place")
	}
	// The deferred revision, moved as it is but for what it follows: the
	// head of main, 0002.
	moved := strings.Fields(r.Git("diff", "--name-only", "--diff-filter=A", "main", "--", "migrations/versions"))
	deferredRev := readFile(t, "../../testdata/alembicsplit/split/migrations/deferred/0002_release2_contract.py")
	if len(moved) != 1 || !strings.HasSuffix(moved[0], "_release2_contract.py") || readFile(t, filepath.Join(r.Dir, moved[0])) != deferredRev {
		t.Errorf("the follow-up should move the deferred revision into versions/ unchanged (its down_revision was already 0002): %v", moved)
	}
	res = run(append([]string{"check", "--base", "main"}, pg...)...)
	followupPasses(t, res, "v2.0.0", "column users.name: removed", "column users.legacy_flags: removed", "view notes: removed")

	// 6. Alembic runs the moved revision, and its downgrade() (what split
	// took out of 0002's) brings back the expanded schema 0002 left.
	contractRoundTrip(t, r, img)
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

// bothReleases runs the split revision with Alembic on PostgreSQL, after
// release 1 wrote rows, and then both releases' code on it
// (testdata/alembicsplit/both_releases.py): a row either release inserts or
// updates is seen with the same value under both names. downgrade() then
// takes the database back to release 1's schema, and upgrade() runs again.
func bothReleases(t *testing.T, r *gittest.Repo, img string) {
	t.Helper()
	ctx := context.Background()
	db := productionDB(t, img, "cmd-alembicsplit")
	release1 := filepath.Join(t.TempDir(), "release1")
	r.Git("worktree", "add", "-q", release1, "v1.0.0")
	defer r.Git("worktree", "remove", "--force", release1)
	python := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(debianPython, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DATABASE_URL="+db.URL())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
		}
		return string(out)
	}
	python(release1, "-m", "alembic", "upgrade", "head")
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO users (email, name, legacy_flags) SELECT 'user' || g || '@example.com', 'User ' || g, 0 FROM generate_series(1, 2000) g"); err != nil {
		t.Fatal(err)
	}
	python(r.Dir, "-m", "alembic", "upgrade", "head")
	script, _ := filepath.Abs("../../testdata/alembicsplit/both_releases.py")
	if out := python(r.Dir, script, release1, r.Dir); strings.TrimSpace(out) != "ok" {
		t.Errorf("both releases on the expanded schema:\n%s", out)
	}
	python(r.Dir, "-m", "alembic", "downgrade", "0001")
	var columns string
	if err := conn.QueryRow(ctx, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'users'").Scan(&columns); err != nil {
		t.Fatal(err)
	}
	if columns != "id,email,name,legacy_flags" {
		t.Errorf("after downgrade() the users table has %s, release 1's columns are id,email,name,legacy_flags", columns)
	}
	python(r.Dir, "-m", "alembic", "upgrade", "head")
}

// contractRoundTrip runs the follow-up's revisions with Alembic on
// PostgreSQL: upgrade head applies the contract after 0002, downgrade to
// 0002 reverts it (the users columns are those of the expanded schema
// again, and release 1's inserts work), and upgrade head applies it again
// once release 1's rows have a plan.
func contractRoundTrip(t *testing.T, r *gittest.Repo, img string) {
	t.Helper()
	ctx := context.Background()
	db := productionDB(t, img, "cmd-alembicsplit-contract")
	alembic := func(args ...string) {
		t.Helper()
		cmd := exec.Command(debianPython, append([]string{"-m", "alembic"}, args...)...)
		cmd.Dir = r.Dir
		cmd.Env = append(os.Environ(), "DATABASE_URL="+db.URL())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("alembic %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	columns := func() string {
		t.Helper()
		var c string
		if err := conn.QueryRow(ctx, "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'users'").Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	alembic("upgrade", "head")
	if c := columns(); c != "email,full_name,id,plan" {
		t.Errorf("after the contract the users table has %s, want email,full_name,id,plan", c)
	}
	alembic("downgrade", "0002")
	if c := columns(); c != "email,full_name,id,legacy_flags,name,plan" {
		t.Errorf("after the contract's downgrade() the users table has %s, want the expanded schema's email,full_name,id,legacy_flags,name,plan", c)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO users (email, name, legacy_flags) VALUES ('release1@example.com', 'Release One', 0)"); err != nil {
		t.Errorf("release 1's insert after the contract's downgrade(): %v", err)
	}
	// Release 1 does not write plan: its rows need one before the contract
	// makes it required again (release 2 writes it).
	if _, err := conn.Exec(ctx, "UPDATE users SET plan = 'free' WHERE plan IS NULL"); err != nil {
		t.Fatal(err)
	}
	alembic("upgrade", "head")
	if c := columns(); c != "email,full_name,id,plan" {
		t.Errorf("after the contract again the users table has %s, want email,full_name,id,plan", c)
	}
}

// TestAlembicDeferredWholeFailsDeploy is the control: the same revision's
// operations moved whole into the deferred SQL, as split advised before it
// cut Alembic revisions, pass compat but fail the deploy scenario, which
// names what release 2 needs.
func TestAlembicDeferredWholeFailsDeploy(t *testing.T) {
	img := testImage(t)
	r := alembicSplitRepo(t)
	os.Remove(filepath.Join(r.Dir, alembicRelease2))
	r.Write(map[string]string{"migrations/deferred/0002_release2_contract.sql": "-- phasegate:deferred\n--   after: release\n--   from: " + alembicRelease2 + "\n" +
		"SET lock_timeout = '5s';\nALTER TABLE users RENAME name TO full_name;\nALTER TABLE notes RENAME TO memos;\nALTER TABLE users ADD COLUMN plan TEXT NOT NULL;\nALTER TABLE users DROP COLUMN legacy_flags;\n"})
	res := phasegate(t, r.Dir, nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	if res.code != 1 || !strings.Contains(scenarioLine(res.stdout, "deploy"), "FAIL") || !strings.Contains(scenarioLine(res.stdout, "compat"), "pass") {
		t.Fatalf("the deploy scenario must fail alone: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "the new code needs users.full_name, which only the deferred migration in migrations/deferred/0002_release2_contract.sql:5 provides") {
		t.Errorf("the report should name what release 2 needs:\n%s", res.stdout)
	}
}

// TestAlembicSplitNeedsItsTrigger shows the check is green for the right
// reason: without the sync trigger the split writes, each release's inserts
// leave the other's NOT NULL column empty, and both compat and deploy fail.
func TestAlembicSplitNeedsItsTrigger(t *testing.T) {
	img := testImage(t)
	r := alembicSplitRepo(t)
	if res := phasegate(t, r.Dir, nil, "split", "--base", "main", "--emit-sql", alembicRelease2); res.code != 0 {
		t.Fatalf("split: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	p := filepath.Join(r.Dir, alembicRelease2)
	src := readFile(t, p)
	trigger := `    op.execute("CREATE TRIGGER users_full_name_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_full_name_sync()")` + "\n"
	if !strings.Contains(src, trigger) {
		t.Fatalf("the split revision has no sync trigger:\n%s", src)
	}
	os.WriteFile(p, []byte(strings.Replace(src, trigger, "", 1)), 0o644)
	res := phasegate(t, r.Dir, nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	for _, sc := range []string{"compat", "deploy"} {
		if !strings.Contains(scenarioLine(res.stdout, sc), "FAIL") {
			t.Errorf("without the trigger the %s scenario must fail: exit %d\n%s\n%s", sc, res.code, res.stdout, res.stderr)
		}
	}
	for _, want := range []string{`violates check constraint "users_full_name_not_null"`, `null value in column "name"`} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the failures should be the NOT NULL the trigger fills (%q):\n%s", want, res.stdout)
		}
	}
}
