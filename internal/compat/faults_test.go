package compat

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/source"
)

// TestRefusedServerStillGivesAResult: when the server of --database-url
// refuses the connection, Run returns the error and a result that says so,
// for the report to carry beside the static results.
func TestRefusedServerStillGivesAResult(t *testing.T) {
	r := app(t, nil)
	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	prev, _ := repo.Resolve(ctx, "main")
	res, err := Run(ctx, Options{Repo: repo, Previous: prev, Format: source.GolangMigrate{}, Dir: "db/migrations",
		URL: "postgres://postgres:secret@127.0.0.1:1/postgres?sslmode=disable", TestCommand: "true", Timeout: time.Minute,
		Off: map[string]bool{ScenarioContractReady: true}})
	if err == nil || res == nil {
		t.Fatalf("err %v, result %+v", err, res)
	}
	if res.Verdict != StatusError || res.Error != err.Error() || !strings.Contains(res.Error, "connection refused") ||
		!strings.Contains(res.Error, "--database-url") || !strings.Contains(res.Error, "--static-only") || strings.Contains(res.Error, "secret") {
		t.Errorf("verdict %s, error %q", res.Verdict, res.Error)
	}
	if got := statuses(res); got != "baseline=error compat=error deploy=error contract-ready=skipped" {
		t.Errorf("scenarios: %s", got)
	}
	if b := scenario(res, ScenarioBaseline); !strings.Contains(b.Reason, "not run") || b.Version != short(prev) {
		t.Errorf("baseline: %+v", b)
	}
	assertClean(t, repo)
}

// TestDockerHostIsTheOnlyEngineTried: an engine named by DOCKER_HOST that
// does not answer fails the start within seconds, saying what to do; it
// does not fall back to the default socket (where this machine's engine
// answers).
func TestDockerHostIsTheOnlyEngineTried(t *testing.T) {
	for _, host := range []string{"tcp://127.0.0.1:1", "unix://" + filepath.Join(t.TempDir(), "no-docker.sock")} {
		t.Run(host, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", host)
			begin := time.Now()
			srv, err := StartContainer(context.Background(), ContainerOptions{Image: testImage(), Labels: testLabels, Hint: StaticOnlyHint})
			if srv != nil {
				srv.Close()
			}
			if err == nil {
				t.Fatal("started PostgreSQL on another engine than DOCKER_HOST's")
			}
			for _, want := range []string{"DOCKER_HOST=" + host, "--database-url", "--static-only"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q: %v", want, err)
				}
			}
			if d := time.Since(begin); d > 20*time.Second { // a sanity bound, far above the expected
				t.Errorf("it took %s to give up", d)
			}
		})
	}
}
