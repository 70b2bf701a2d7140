// Package pgtest is for the tests that start PostgreSQL in Docker, the way
// gittest is for those that need git repositories: it names the image they
// start, and it fails a package whose tests cannot run on this machine (no
// Docker engine, no image) once, saying what to do, instead of once per
// test with a raw error.
//
// It asks the docker command, which the tests use anyway (to find the
// containers they leave), and so honours DOCKER_HOST as phasegate does.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultImage is the image the tests start when
// PHASEGATE_TEST_POSTGRES_IMAGE is unset: the official image of the
// PostgreSQL version phasegate targets by default.
const DefaultImage = "postgres:16"

// Image is the PostgreSQL image the tests start, never pulling it:
// $PHASEGATE_TEST_POSTGRES_IMAGE, or DefaultImage. Any image that follows
// the official postgres image's contract (POSTGRES_PASSWORD, its "ready to
// accept connections" log line) will do.
func Image() string {
	if img := strings.TrimSpace(os.Getenv("PHASEGATE_TEST_POSTGRES_IMAGE")); img != "" {
		return img
	}
	return DefaultImage
}

var (
	once    sync.Once
	problem string
)

// Problem says why the tests cannot start PostgreSQL here, or "" when they
// can: Docker answers and Image is present. It asks Docker once per test
// binary.
func Problem() string {
	once.Do(func() { problem = check(Image()) })
	return problem
}

// Require is for a TestMain whose every test needs PostgreSQL: when Problem is not "", it prints one message, naming pkg,
// and exits with status 1.
func Require(pkg string) {
	if p := Problem(); p != "" {
		fmt.Fprintln(os.Stderr, Message(pkg, p))
		os.Exit(1)
	}
}

// Announce is for a TestMain whose package has tests that need no
// Docker beside those that do: when Problem is not "", it prints one
// message, naming pkg, and lets every test run; those that need
// PostgreSQL call Need.
func Announce(pkg string) {
	if p := Problem(); p != "" {
		fmt.Fprintln(os.Stderr, Message(pkg, p))
	}
}

var needed sync.Once

// Need is for a test that starts PostgreSQL in a package whose other tests
// need no Docker: it fails the test when PostgreSQL cannot start here (the
// first such test with the whole message, the others with one line that
// points to it), and returns the image otherwise.
func Need(t testing.TB) string {
	t.Helper()
	if p := Problem(); p != "" {
		msg := "this test starts PostgreSQL in Docker, which cannot run here: " + p + " (see docs/runtime.md#testing, or the first test that failed for this)"
		needed.Do(func() { msg = Message("this test", p) })
		t.Fatal(msg)
	}
	return Image()
}

// Message says what is missing and what to do.
func Message(what, problem string) string {
	now := ""
	if img := Image(); img != DefaultImage {
		now = " (now " + img + ")"
	}
	return fmt.Sprintf("%s: the tests start PostgreSQL in Docker, and cannot here: %s.\n"+
		"They need a Docker engine (the docker command's: DOCKER_HOST is honoured) with their PostgreSQL image present locally; they never pull it.\n"+
		"The image is %s: docker pull %s; or any local image that follows the official postgres image's contract, named in PHASEGATE_TEST_POSTGRES_IMAGE%s.\n"+
		"See docs/runtime.md#testing.", what, problem, DefaultImage, DefaultImage, now)
}

// check asks Docker for the engine, then for the image.
func check(image string) string {
	if _, err := exec.LookPath("docker"); err != nil {
		return "the docker command is not installed (the tests use it to find the containers they leave)"
	}
	if _, err := docker("version", "--format", "{{.Server.Version}}"); err != nil {
		return "Docker does not answer (" + err.Error() + ")"
	}
	if _, err := docker("image", "inspect", "--format", "{{.Id}}", image); err != nil {
		return fmt.Sprintf("the image %s is not present (%s)", image, err)
	}
	return ""
}

// docker runs the docker command, bounded in time, and returns its output
// or an error holding the first line it wrote on stderr.
func docker(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", errors.New("no answer within 20s")
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}
