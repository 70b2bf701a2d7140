package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Django, after the split: release 2 ships, the follow-up bot carries the
// deferred SQL back as a migration of the accounts app, and that pull
// request's check passes: Django loads the migration, phasegate judges the
// SQL it runs, and release 2's tests pass on the contracted schema.
func TestDjangoFollowupMigrationPassesItsCheck(t *testing.T) {
	needPython(t, "django", "psycopg2")
	pg := []string{"--postgres-image", testImage(t), "--no-pull"}
	dir := djangoRepo(t, "split")
	git := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cfg := filepath.Join(dir, ".github/phasegate.yml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, append(b, "followup:\n  min_age: 0s\n"...), 0o644)
	git("commit", "-qam", "follow up at once")
	git("checkout", "-q", "main")
	git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/feature", "feature")
	git("tag", "v2.0.0")

	remote, env := followupRemote(t, dir)
	r := phasegate(t, dir, env, "followup")
	pulls := remote.Pulls()
	if r.code != 0 || len(pulls) != 1 {
		t.Fatalf("followup: exit %d, %d pull requests\n%s\n%s", r.code, len(pulls), r.stdout, r.stderr)
	}
	if _, err := remote.ExportRef(dir, "refs/heads/"+pulls[0].Head); err != nil {
		t.Fatal(err)
	}
	git("checkout", "-q", pulls[0].Head)
	mig := filepath.Join(dir, "accounts/migrations/0003_display_name_contract.py")
	if _, err := os.Stat(mig); err != nil {
		t.Fatalf("the follow-up's migration: %v", err)
	}
	r = phasegate(t, dir, nil, append([]string{"check", "--base", "main"}, pg...)...)
	for _, want := range []string{
		"accounts/migrations/0003_display_name_contract.py",
		"baseline        pass", "compat          pass", "deploy          pass", "phasegate: ok",
	} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("the follow-up's check lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}
