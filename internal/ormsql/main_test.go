package ormsql

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/pgtest"
)

// testPython is the interpreter that has Debian's python3-alembic,
// python3-sqlalchemy, python3-django and python3-psycopg2 (.ci/run
// installs them).
const testPython = "/usr/bin/python3"

// needPython fails the test when testPython lacks modules.
func needPython(t *testing.T, modules ...string) {
	t.Helper()
	args := []string{"-c", "import " + strings.Join(modules, ", ")}
	if out, err := exec.Command(testPython, args...).CombinedOutput(); err != nil {
		t.Fatalf("this test needs %s with %s (apt-get install python3-alembic python3-sqlalchemy python3-django python3-psycopg2; .ci/run does): %v\n%s",
			testPython, strings.Join(modules, ", "), err, out)
	}
}

// The PostgreSQL server of this package's tests, started by the first test
// that needs one and removed by TestMain.
var (
	serverOnce sync.Once
	server     *compat.Server
	serverErr  error
)

// testLabels mark this package's containers, so that other packages' leak
// checks, running at the same time, can tell them apart.
var testLabels = map[string]string{"dev.phasegate.test": "render"}

// testServer starts (once) PostgreSQL in Docker from the local image
// PHASEGATE_TEST_POSTGRES_IMAGE, never pulling.
func testServer(t *testing.T) *compat.Server {
	t.Helper()
	serverOnce.Do(func() {
		compat.LogDocker(nil)
		server, serverErr = compat.StartContainer(context.Background(), compat.ContainerOptions{Image: pgtest.Image(), Pull: false, Labels: testLabels})
	})
	if serverErr != nil {
		t.Fatalf("start PostgreSQL for the test: %v", serverErr)
	}
	return server
}

func TestMain(m *testing.M) {
	pgtest.Require("github.com/phasegate/phasegate/internal/ormsql")
	code := m.Run()
	if server != nil {
		if err := server.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close the test server:", err)
			code = 1
		}
		out, err := exec.Command("docker", "ps", "-a", "--filter", "label="+compat.LabelRun, "--filter", "label=dev.phasegate.test=render", "--format", "{{.ID}} {{.Status}}").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			fmt.Fprintf(os.Stderr, "containers of this package's tests are left (or docker ps failed: %v):\n%s\n", err, out)
			code = 1
		}
	}
	os.Exit(code)
}

// copyTree copies testdata directories into dst, later ones over earlier.
func copyTree(t *testing.T, dst string, srcs ...string) {
	t.Helper()
	for _, src := range srcs {
		err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			target := filepath.Join(dst, rel)
			if info.IsDir() {
				if info.Name() == "__pycache__" {
					return filepath.SkipDir
				}
				return os.MkdirAll(target, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
