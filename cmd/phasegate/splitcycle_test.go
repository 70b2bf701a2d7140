package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/gittest"
)

const splitAppConfig = `migrations:
  dir: db/migrations
  deferred_dir: db/deferred
previous: latest-tag
tests:
  command: go test -count=1 ./...
followup:
  min_age: 0s
`

// splitAppRepo builds testdata/splitapp: release 1 on main, tagged
// v1.0.0, and release 2 (new code, and a migration that renames a column
// and a table, adds a required column and drops a column release 2
// stopped using) on a feature branch, in the work tree.
func splitAppRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	src, _ := filepath.Abs("../../testdata/splitapp/v1")
	r.CopyDir(src)
	r.Write(map[string]string{".github/phasegate.yml": splitAppConfig})
	r.Commit("release 1", nil)
	r.Git("tag", "v1.0.0")
	r.Git("checkout", "-qb", "release-2")
	copyTree(t, "../../testdata/splitapp/v2", r.Dir) // v2 holds what differs from v1
	return r
}

// scenarioLine finds a scenario's line in the text report.
func scenarioLine(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == name {
			return l
		}
	}
	return ""
}

// followupPasses checks the check of the pull request that applies the
// contract: its previous release is tag, which no longer uses what the
// contract removes, so baseline, compat and deploy pass, and the evidence
// names what it removes.
func followupPasses(t *testing.T, res result, tag string, evidence ...string) {
	t.Helper()
	for _, sc := range []string{"baseline", "compat", "deploy"} {
		if l := scenarioLine(res.stdout, sc); !strings.Contains(l, " pass ") {
			t.Errorf("follow-up: scenario %s did not pass (%q):\n%s\n%s", sc, l, res.stdout, res.stderr)
		}
	}
	if res.code != 0 || !strings.Contains(res.stdout, "the previous release is "+tag) {
		t.Errorf("follow-up check: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range evidence {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the follow-up's evidence lacks %q:\n%s", want, res.stdout)
		}
	}
}

func allPass(t *testing.T, what string, res result) {
	t.Helper()
	for _, sc := range []string{"baseline", "compat", "deploy", "contract-ready"} {
		if l := scenarioLine(res.stdout, sc); !strings.Contains(l, " pass ") {
			t.Errorf("%s: scenario %s did not pass (%q), exit %d:\n%s\n%s", what, sc, l, res.code, res.stdout, res.stderr)
		}
	}
	if res.code != 0 {
		t.Errorf("%s: exit %d", what, res.code)
	}
}

// TestSplitKeepsEveryReleaseWorking is phasegate's central promise, end
// to end: a change that renames a column and a table both releases use,
// adds a column release 2 requires and drops one release 2 no longer
// uses fails the check; phasegate split rewrites it; the check then
// passes in all four states of production, each for the right reason;
// and once release 2 ships, the follow-up pull request's contract passes
// too. The same change deferred whole by hand fails the deploy scenario.
func TestSplitKeepsEveryReleaseWorking(t *testing.T) {
	img := testImage(t)
	pg := []string{"--postgres-image", img, "--no-pull"}
	r := splitAppRepo(t)
	run := func(env []string, args ...string) result {
		t.Helper()
		return phasegate(t, r.Dir, env, args...)
	}

	// 1. As written, the change breaks release 1 while it still serves.
	res := run(nil, append([]string{"check", "--base", "main"}, pg...)...)
	if res.code != 1 || !strings.Contains(scenarioLine(res.stdout, "compat"), "FAIL") {
		t.Fatalf("before the split the compat scenario must fail: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}

	// 2. split does the surgery.
	res = run(nil, "split", "--base", "main", "db/migrations/0002_release2.up.sql")
	if res.code != 0 {
		t.Fatalf("split: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"rewrite line 4: RENAME COLUMN name TO full_name", "rewrite line 5: RENAME TO memos", "rewrite line 7: ADD COLUMN plan ... NOT NULL", "rewrite line 9: DROP COLUMN legacy_flags"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("split output lacks %q:\n%s", want, res.stdout)
		}
	}

	// 3. Every state of production works: static check clean, all four
	// scenarios green.
	res = run(nil, append([]string{"check", "--base", "main"}, pg...)...)
	allPass(t, "after the split", res)
	if !strings.Contains(res.stdout, "0 contract, 0 unknown") {
		t.Errorf("after the split nothing active should wait for the next release:\n%s", res.stdout)
	}
	if t.Failed() {
		t.FailNow()
	}
	r.Commit("Release 2: full_name, memos, plan; stop using legacy_flags (#12)", nil)

	// 4. Release 2 ships; the follow-up bot proposes the contract.
	r.Git("checkout", "-q", "main")
	r.Git("merge", "-q", "--no-ff", "-m", "Merge pull request #12 from acme/release-2", "release-2")
	r.Git("tag", "v2.0.0")
	remote, env := followupRemote(t, r.Dir)
	res = run(env, "followup")
	pulls := remote.Pulls()
	if res.code != 0 || len(pulls) != 1 {
		t.Fatalf("followup: exit %d, %d pull requests\n%s\n%s", res.code, len(pulls), res.stdout, res.stderr)
	}
	if _, err := remote.ExportRef(r.Dir, "refs/heads/"+pulls[0].Head); err != nil {
		t.Fatal(err)
	}
	r.Git("checkout", "-q", pulls[0].Head)

	// 5. The follow-up's check: the previous release is v2.0.0, which no
	// longer uses name, notes or legacy_flags; the contract passes.
	res = run(nil, append([]string{"check", "--base", "main"}, pg...)...)
	followupPasses(t, res, "v2.0.0", "column users.name: removed", "column users.legacy_flags: removed", "view notes: removed")
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

// TestDeferredWholeFailsDeploy is the control: the same change with its
// migration moved whole into the deferred directory, by hand, passes
// compat and contract-ready but fails the deploy scenario, which names
// what release 2 needs.
func TestDeferredWholeFailsDeploy(t *testing.T) {
	img := testImage(t)
	r := splitAppRepo(t)
	up := readFile(t, filepath.Join(r.Dir, "db/migrations/0002_release2.up.sql"))
	os.Remove(filepath.Join(r.Dir, "db/migrations/0002_release2.up.sql"))
	os.Remove(filepath.Join(r.Dir, "db/migrations/0002_release2.down.sql"))
	r.Write(map[string]string{"db/deferred/0002_release2_contract.up.sql": "-- phasegate:deferred\n--   after: release\n--   from: db/migrations/0002_release2.up.sql\n" + up})
	res := phasegate(t, r.Dir, nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	if res.code != 1 || !strings.Contains(scenarioLine(res.stdout, "deploy"), "FAIL") || !strings.Contains(scenarioLine(res.stdout, "compat"), "pass") {
		t.Fatalf("the deploy scenario must fail alone: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "the new code needs users.full_name, which only the deferred migration in db/deferred/0002_release2_contract.up.sql:7 provides") {
		t.Errorf("the report should name what release 2 needs:\n%s", res.stdout)
	}
}

// followupRemote serves the repository in dir as acme/shop on a fake
// GitHub, for as long as the test runs, and returns it with the
// environment under which phasegate followup works on it (a token that
// may write, outside GitHub Actions).
func followupRemote(t *testing.T, dir string) (*fakegithub.Repo, []string) {
	t.Helper()
	s := fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken("app-token", fakegithub.Write)
	remote := s.AddRepo("acme", "shop")
	if err := remote.ImportGit(dir); err != nil {
		t.Fatal(err)
	}
	return remote, []string{"GITHUB_API_URL=" + s.URL, "GITHUB_REPOSITORY=acme/shop", "GITHUB_TOKEN=app-token", "GITHUB_ACTIONS="}
}
