package ormsql

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
