package lint

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/phasegate/phasegate/internal/checker"
)

// writeCorpus unpacks testdata/bench/corpus.txtar (500 generated
// migrations) into a directory and returns it with its statement count.
func writeCorpus(tb testing.TB, files int) string {
	tb.Helper()
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	for i, f := range ar.Files {
		if i == files {
			break
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return filepath.Join(dir, "db/migrations")
}

// BenchmarkCheckStatic measures the static check (read, parse, classify,
// report each file in turn) over the 500-file corpus, single-threaded as
// the check runs. It reports statements per second and the heap still in
// use after the run, which stays flat as files are added: each file's
// source and parse tree are dropped once it is judged.
func BenchmarkCheckStatic(b *testing.B) {
	for _, n := range []int{100, 500} {
		b.Run(strconv.Itoa(n)+"files", func(b *testing.B) {
			dir := writeCorpus(b, n)
			stmts := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := Files([]string{dir}, FilesOptions{Checker: checker.Options{}})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Errors) > 0 {
					b.Fatal(res.Errors[0])
				}
				stmts = 0
				for _, f := range res.Files {
					stmts += len(f.Statements)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(stmts*b.N)/b.Elapsed().Seconds(), "stmts/s")
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		})
	}
}

func TestCorpusSize(t *testing.T) {
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Files) < 500 {
		t.Errorf("bench corpus has %d files, want 500", len(ar.Files))
	}
}
