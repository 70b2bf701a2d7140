package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkStartup runs the built binary as a user does: phasegate
// version (start-up alone) and classify of one one-statement file (start-up,
// one parse, the rules, the JSON report). Its floor is the process: a
// program that only imports pg_query_go starts in under half of this time
// (docs/performance.md). The binary runs as the tests just built it, which
// a kernel with large folios maps with 2 MB pages: 6 to 8 ms faster here
// than the same file read back from disk, which scripts/bench-squawk.sh
// times.
func BenchmarkStartup(b *testing.B) {
	file := filepath.Join(b.TempDir(), "1_tiny.up.sql")
	if err := os.WriteFile(file, []byte("SELECT 1;\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"classify-one-file", []string{"classify", "--format", "json", file}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(binary, bc.args...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("phasegate %v: %v\n%s", bc.args, err, out)
				}
			}
		})
	}
}
