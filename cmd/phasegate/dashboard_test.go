package main

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/gittest"
)

// TestFollowupDashboard runs the built binary as the scheduled workflow
// does: it opens the contract-debt dashboard, acts on a box a person
// ticked in it, and a rerun changes nothing; followup.dashboard: false
// keeps no dashboard.
func TestFollowupDashboard(t *testing.T) {
	for _, on := range []bool{true, false} {
		r := gittest.New(t)
		cfg := "migrations:\n  dir: db/migrations\nfollowup:\n  min_age: 0s\n"
		if !on {
			cfg += "  dashboard: false\n"
		}
		r.Commit("users", map[string]string{
			"phasegate.yml":                   cfg,
			"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
		})
		const waiting = "db/migrations/deferred/0002_drop_name_contract.up.sql"
		r.Commit("Stop using users.name; defer dropping it (#7)", map[string]string{waiting: deferred.Header{}.String() + "ALTER TABLE users DROP COLUMN name;\n"})
		remote, env := followupRemote(t, r.Dir)
		res := phasegate(t, r.Dir, env, "followup")
		if res.code != 0 || !strings.Contains(res.stdout, waiting+": waiting") {
			t.Fatalf("first run: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
		}
		if !on {
			if len(remote.Issues()) != 0 || strings.Contains(res.stdout, "dashboard") {
				t.Errorf("followup.dashboard: false: %+v\n%s", remote.Issues(), res.stdout)
			}
			continue
		}
		issues := remote.Issues()
		if len(issues) != 1 || !strings.Contains(res.stdout, "dashboard: created ") {
			t.Fatalf("dashboard: %+v\n%s", issues, res.stdout)
		}
		box := "- [ ] open its follow-up pull request now <!-- phasegate:open " + waiting + " -->"
		if !strings.Contains(issues[0].Body, box) {
			t.Fatalf("no box to open it now:\n%s", issues[0].Body)
		}
		remote.EditIssue(issues[0].Number, "alice", strings.Replace(issues[0].Body, box, strings.Replace(box, "[ ]", "[x]", 1), 1))
		res = phasegate(t, r.Dir, env, "followup")
		if res.code != 0 || !strings.Contains(res.stdout, waiting+": created") || !strings.Contains(res.stdout, "dashboard request: open now: "+waiting) ||
			!strings.Contains(res.stdout, "dashboard: updated") || len(remote.Pulls()) != 1 {
			t.Fatalf("after the tick: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
		}
		res = phasegate(t, r.Dir, env, "followup")
		if res.code != 0 || !strings.Contains(res.stdout, waiting+": unchanged") || !strings.Contains(res.stdout, "dashboard: unchanged") || len(remote.Issues()) != 1 {
			t.Fatalf("rerun: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
		}
	}
}
