package main

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/gittest"
)

// TestFollowupDryRunWithoutToken: a dry run needs no token while no
// deferred migration is ready (nothing to ask GitHub); once one is, it
// names the call that needed the token.
func TestFollowupDryRunWithoutToken(t *testing.T) {
	r := gittest.New(t)
	r.Commit("users", map[string]string{
		"phasegate.yml":                   "migrations:\n  dir: db/migrations\nfollowup:\n  min_age: 0s\n",
		"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
	})
	r.Commit("Stop using users.name; defer dropping it (#7)", map[string]string{
		"db/migrations/deferred/0002_drop_name_contract.up.sql": deferred.Header{}.String() + "ALTER TABLE users DROP COLUMN name;\n",
	})
	noToken := []string{"GITHUB_TOKEN=", "INPUT_TOKEN=", "GITHUB_REPOSITORY=", "GITHUB_ACTIONS=", "GITHUB_API_URL=http://127.0.0.1:1"}

	res := phasegate(t, r.Dir, noToken, "followup", "--dry-run")
	if res.code != 0 || !strings.Contains(res.stdout, "db/migrations/deferred/0002_drop_name_contract.up.sql: waiting: no release (tag v*) contains") ||
		!strings.Contains(res.stdout, "dry run") {
		t.Fatalf("not released, dry run without a token: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "GitHub was not asked (GET /repos/OWNER/REPOSITORY/releases)") {
		t.Errorf("the releases call it skipped is not named:\n%s", res.stderr)
	}

	res = phasegate(t, r.Dir, noToken, "followup")
	if res.code != exitUsage || !strings.Contains(res.stderr, "no token: pass --github-token or set GITHUB_TOKEN") {
		t.Errorf("without --dry-run a token is required: exit %d\n%s", res.code, res.stderr)
	}

	r.Git("tag", "v1.0.0")
	res = phasegate(t, r.Dir, append(noToken, "GITHUB_REPOSITORY=acme/shop"), "followup", "--dry-run")
	// stdout says what could not be done and why; stderr names the call
	// (the request's URL on stdout too would only repeat it).
	if res.code != exitFindings || !strings.Contains(res.stdout, "0002_drop_name_contract.up.sql: error: list pull requests of phasegate/contract/0002_drop_name_contract: this call needs a GitHub token") ||
		strings.Contains(res.stdout, "https://") || !strings.Contains(res.stderr, "GitHub was not asked (GET /repos/acme/shop/pulls)") {
		t.Errorf("released, dry run without a token: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
}
