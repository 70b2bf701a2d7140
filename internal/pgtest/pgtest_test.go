package pgtest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWithoutDocker runs tests of the packages that start PostgreSQL with
// a Docker engine that does not answer. The packages whose tests share one
// server started first (compat, stats) fail once, with one message that
// says what is missing and what to do. The others (cmd/phasegate, split,
// capture, and checker's one test) say it once and run every test: those
// that need no PostgreSQL pass, those that do fail with the message.
func TestWithoutDocker(t *testing.T) {
	const says = "the tests start PostgreSQL in Docker, and cannot here: Docker does not answer"
	goTest := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"test", "-count=1"}, args...)...)
		cmd.Dir = "../.."
		cmd.Env = append(cmd.Environ(), "DOCKER_HOST=tcp://127.0.0.1:1")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("go test %s passed without Docker:\n%s", strings.Join(args, " "), out)
		}
		return string(out)
	}
	s := goTest("./internal/compat", "./internal/stats")
	for _, p := range []string{"internal/compat", "internal/stats"} {
		if n := strings.Count(s, "github.com/phasegate/phasegate/"+p+": "+says); n != 1 {
			t.Errorf("%s: the message appears %d times, want once", p, n)
		}
		if !strings.Contains(s, "FAIL\tgithub.com/phasegate/phasegate/"+p+"\t") {
			t.Errorf("%s did not fail", p)
		}
	}
	if strings.Contains(s, "--- FAIL") {
		t.Errorf("a test of compat or stats ran:\n%s", s)
	}
	for _, want := range []string{"docker pull " + DefaultImage, "PHASEGATE_TEST_POSTGRES_IMAGE", "DOCKER_HOST"} {
		if !strings.Contains(s, want) {
			t.Errorf("the message does not say %q:\n%s", want, s)
		}
	}

	// Tests that need no PostgreSQL, and one that does, in each package
	// that runs its tests anyway.
	static := []string{"TestScript", "TestHelp", "TestDjangoSplitWrapsTheDropInSeparateDatabaseAndState", "TestAttributeRails", "TestDecodeBinary"}
	needing := []string{"TestRuntimeExampleNamesTheColumn", "TestRenameColumnSyncsBothReleases", "TestProxyMarksFailures", "TestFixesRunOnPostgreSQL"}
	s = goTest("-run", "^("+strings.Join(append(static, needing...), "|")+")$", "./cmd/phasegate", "./internal/split", "./internal/capture", "./internal/checker")
	for _, p := range []string{"cmd/phasegate", "internal/split", "internal/capture"} {
		if n := strings.Count(s, "github.com/phasegate/phasegate/"+p+": "+says); n != 1 {
			t.Errorf("%s: the message appears %d times, want once", p, n)
		}
	}
	for _, name := range static {
		if strings.Contains(s, "--- FAIL: "+name+" ") {
			t.Errorf("%s needs no PostgreSQL, and failed:\n%s", name, s)
		}
	}
	for _, name := range needing {
		if !strings.Contains(s, "--- FAIL: "+name+" ") {
			t.Errorf("%s needs PostgreSQL, and did not fail:\n%s", name, s)
		}
	}
	if n := strings.Count(s, "this test"); n < len(needing) {
		t.Errorf("%d of the %d failing tests say why:\n%s", n, len(needing), s)
	}
}

// TestMissingImage: Docker answers, the image is not there.
func TestMissingImage(t *testing.T) {
	Need(t) // Docker answers
	if p := check("local/phasegate-no-such-image:0"); !strings.HasPrefix(p, "the image local/phasegate-no-such-image:0 is not present (") {
		t.Errorf("problem: %q", p)
	}
	t.Setenv("PHASEGATE_TEST_POSTGRES_IMAGE", "")
	if Image() != DefaultImage {
		t.Errorf("image %q without PHASEGATE_TEST_POSTGRES_IMAGE", Image())
	}
}
