package pgtest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWithoutDockerEachPackageFailsOnce runs the tests of every package
// that starts PostgreSQL with a Docker engine that does not answer: each
// fails with one message that says what is missing and what to do, not
// with a failure per test.
func TestWithoutDockerEachPackageFailsOnce(t *testing.T) {
	whole := []string{"compat", "split", "stats", "render", "capture", "cmd/phasegate"}
	args := []string{"test", "-count=1", "-run", "^TestFixesRunOnPostgreSQL$", "./checker"}
	for _, p := range whole {
		args = append(args, "./"+p)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(cmd.Environ(), "DOCKER_HOST=tcp://127.0.0.1:1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("go test passed without Docker:\n%s", out)
	}
	s := string(out)
	const says = ": the tests start PostgreSQL in Docker, and cannot here: Docker does not answer"
	for _, p := range whole {
		if n := strings.Count(s, "github.com/phasegate/phasegate/"+p+says); n != 1 {
			t.Errorf("%s: the message appears %d times, want once", p, n)
		}
		if !strings.Contains(s, "FAIL\tgithub.com/phasegate/phasegate/"+p+"\t") {
			t.Errorf("%s did not fail", p)
		}
	}
	// checker needs PostgreSQL for one test only: that test fails, with
	// the message.
	if strings.Count(s, "--- FAIL") != 1 || !strings.Contains(s, "--- FAIL: TestFixesRunOnPostgreSQL") || !strings.Contains(s, "this test"+says) {
		t.Errorf("failures other than checker's one:\n%s", s)
	}
	for _, want := range []string{"docker pull " + DefaultImage, "PHASEGATE_TEST_POSTGRES_IMAGE", "DOCKER_HOST"} {
		if !strings.Contains(s, want) {
			t.Errorf("the message does not say %q:\n%s", want, s)
		}
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
