package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/gittest"
)

const cycleConfig = `migrations:
  dir: db/migrations
previous: latest-tag
tests:
  command: go test -count=1 ./...
followup:
  min_age: 0s
`

// TestDeferredContractCycle is the whole multi-release workflow, end to
// end: a pull request that stops using a column and drops it is split,
// its check passes (the drop is deferred); it ships in v1.1.0; the
// follow-up bot opens the pull request that applies the drop; and that
// pull request's check passes too, because its previous release, v1.1.0,
// no longer uses the column.
func TestDeferredContractCycle(t *testing.T) {
	img := testImage(t)
	r := gittest.New(t)
	src, _ := filepath.Abs("../../testdata/compatapp/v1")
	r.CopyDir(src)
	r.Write(map[string]string{".github/phasegate.yml": cycleConfig})
	r.Commit("v1", nil)
	r.Git("tag", "v1.0.0")

	// 1. The pull request: new code, and a migration that mixes phases.
	r.Git("checkout", "-qb", "stop-using-name")
	r.Write(map[string]string{
		"shop.go": readFile(t, "../../testdata/compatapp/v2/shop.go"), "shop_test.go": readFile(t, "../../testdata/compatapp/v2/shop_test.go"),
		"db/migrations/0003_nick.up.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users DROP COLUMN name;\n",
	})
	run := func(env []string, args ...string) result {
		t.Helper()
		return phasegate(t, r.Dir, env, args...)
	}
	res := run(nil, "check", "--base", "main", "--static-only")
	if res.code != 1 || !strings.Contains(res.stdout, "contract/drop-column: error") {
		t.Fatalf("before the split the drop must fail the check:\n%s", res.stdout)
	}
	if res = run(nil, "split", "--base", "main", "db/migrations/0003_nick.up.sql"); res.code != 0 {
		t.Fatalf("split: %s", res.stderr)
	}
	res = run(nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	if res.code != 0 || !strings.Contains(res.stdout, "compat          pass") || !strings.Contains(res.stdout, "contract-ready  pass") {
		t.Fatalf("after the split the check must pass with both scenarios:\nexit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	r.Commit("Stop using users.name; defer dropping it (#7)", nil)

	// 2. It is merged and released as v1.1.0.
	r.Git("checkout", "-q", "main")
	r.Git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/stop-using-name", "stop-using-name")
	r.Git("tag", "v1.1.0")

	// 3. The scheduled bot opens the follow-up pull request.
	remote, env := followupRemote(t, r.Dir)
	res = run(env, "followup")
	if res.code != 0 || !strings.Contains(res.stdout, "created → db/migrations/0004_nick_contract.up.sql") {
		t.Fatalf("followup: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	pulls := remote.Pulls()
	if len(pulls) != 1 || !strings.Contains(pulls[0].Body, "#7") || !strings.Contains(pulls[0].Body, "v1.1.0") {
		t.Fatalf("pull requests: %+v", pulls)
	}

	// 4. Its check: the previous release is v1.1.0, which no longer reads
	// users.name, so dropping it passes the compat scenario.
	branch := "refs/heads/" + pulls[0].Head
	if _, err := remote.ExportRef(r.Dir, branch); err != nil {
		t.Fatal(err)
	}
	r.Git("checkout", "-q", pulls[0].Head)
	if _, err := os.Stat(filepath.Join(r.Dir, "db/migrations/0004_nick_contract.up.sql")); err != nil {
		t.Fatal(err)
	}
	res = run(nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	if res.code != 0 || !strings.Contains(res.stdout, "the previous release is v1.1.0") || !strings.Contains(res.stdout, "compat          pass") {
		t.Fatalf("follow-up check: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "column users.name: removed") {
		t.Errorf("the evidence should show the drop:\n%s", res.stdout)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
