package scripts_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// actWorkflow uses the action three times in one job, on the example
// repository: at @v1 (the release is resolved and downloaded), at
// @v<version> (found in the tool cache, no request) and from the workspace
// (uses: ./, version v1: the tool cache again).
const actWorkflow = `name: act
on: pull_request
jobs:
  phasegate:
    runs-on: ubuntu-latest
    steps:
      - id: check
        uses: phasegate/phasegate@v1
        continue-on-error: true
        with:
          working-directory: %[1]s
          base: main
          static-only: "true"
          comment: "off"
      - uses: phasegate/phasegate@v%[2]s
        with:
          working-directory: %[1]s
          base: main
          static-only: "true"
          comment: "off"
          fail-on: never
      # act copies the local repository for this step, downloading nothing.
      - uses: actions/checkout@v4
      - uses: ./
        with:
          version: v1
          working-directory: %[1]s
          base: main
          static-only: "true"
          comment: "off"
          fail-on: never
      - name: The check ran the release binary and failed on the example
        run: |
          test "${{ steps.check.outputs.result }}" = fail
          test "${{ steps.check.outputs.contract }}" = 1
          command -v phasegate
          case "$(command -v phasegate)" in "$RUNNER_TOOL_CACHE"/phasegate/%[2]s/*) ;; *) exit 1 ;; esac
`

// TestActionWithAct runs action.yml in nektos/act, a local implementation
// of the GitHub Actions runner, on this machine (-self-hosted), with
// GITHUB_API_URL pointed at a fake GitHub whose release v1.9.3 holds the
// archive scripts/dist.sh built. act serves phasegate/phasegate@v1 and @v1.9.3
// from the checkout (--local-repository) and sets github.action_ref as the
// runner does. It needs act on PATH (go install github.com/nektos/act@v0.2.89,
// which .ci/run does).
func TestActionWithAct(t *testing.T) {
	act, err := exec.LookPath("act")
	if err != nil {
		t.Fatal("this test runs the composite action in act: go install github.com/nektos/act@v0.2.89 (.ci/run does); see docs/releasing.md")
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("release binaries are for linux and darwin")
	}
	checkout := taggedCheckout(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "dist")
	if log, err := dist(t, checkout, "-o", out, distVersion); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, log)
	}

	s := fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken("t-read", fakegithub.Read)
	repo := s.AddRepo("phasegate", "phasegate")
	repo.Commit("main", "init", map[string]string{"README.md": "phasegate\n"})
	rel := repo.AddRelease(fakegithub.Release{TagName: "v" + distVersion})
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		repo.AddReleaseAsset(rel.ID, fakegithub.Asset{Name: e.Name(), Data: data})
	}

	example := filepath.Join(dir, "example")
	if log, err := exec.Command("sh", filepath.Join(checkout, "testdata", "example", "make-repo.sh"), example).CombinedOutput(); err != nil {
		t.Fatalf("make-repo.sh: %v\n%s", err, log)
	}
	sha := func(rev string) string {
		b, err := exec.Command("git", "-C", example, "rev-parse", rev).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	event, _ := json.Marshal(map[string]any{"pull_request": map[string]any{
		"number": 1,
		"base":   map[string]any{"sha": sha("main"), "ref": "main", "repo": map[string]any{"full_name": "acme/shop"}},
		"head":   map[string]any{"sha": sha("feature"), "ref": "feature", "repo": map[string]any{"full_name": "acme/shop"}},
	}})
	eventPath := filepath.Join(dir, "event.json")
	os.WriteFile(eventPath, event, 0o644)
	workflow := filepath.Join(dir, "act.yml")
	os.WriteFile(workflow, []byte(fmt.Sprintf(actWorkflow, example, distVersion)), 0o644)

	cmd := exec.Command(act, "pull_request", "-W", workflow, "-e", eventPath,
		"-P", "ubuntu-latest=-self-hosted", "--action-offline-mode",
		"--local-repository", "phasegate/phasegate@v1="+checkout,
		"--local-repository", "phasegate/phasegate@v"+distVersion+"="+checkout,
		"--action-cache-path", filepath.Join(dir, "act-cache"),
		"--env", "GITHUB_API_URL="+s.URL, "-s", "GITHUB_TOKEN=t-read")
	cmd.Dir = checkout
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("act: %v\n%s", err, log)
	}
	t.Logf("act's log:\n%s", log)
	name := fmt.Sprintf("phasegate_%s_%s_%s.tar.gz", distVersion, runtime.GOOS, runtime.GOARCH)
	for want, n := range map[string]int{
		"phasegate: downloading " + name + " (v" + distVersion + " of phasegate/phasegate)": 1,
		"matches checksums.txt":                               1,
		"phasegate: v" + distVersion + " from the tool cache": 2,
	} {
		if got := strings.Count(string(log), want); got != n {
			t.Errorf("act's log has %q %d times, want %d", want, got, n)
		}
	}
	if !strings.Contains(string(log), "drops column users.legacy_flags") {
		t.Error("act's log lacks the example's drop-column finding")
	}
	// Two downloads in all: the archive and checksums.txt, once.
	for _, a := range repo.ReleaseAssets(rel.ID) {
		if a.Downloads != 1 {
			t.Errorf("%s downloaded %d times, want once", a.Name, a.Downloads)
		}
	}
	if strings.Contains(string(log), "building phasegate from the action's source") {
		t.Errorf("the action built from source:\n%s", log)
	}
}
