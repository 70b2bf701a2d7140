package lint

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
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

// BenchmarkCheckHistory measures the whole static check of a pull request
// that adds one migration to a history of 500 (the generated corpus, as a
// real git repository): resolve and diff the revisions, read the base's
// migrations from git and replay them into the catalog, then judge the new
// file. What `phasegate check --static-only` does, less start-up and
// output.
func BenchmarkCheckHistory(b *testing.B) {
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		b.Fatal(err)
	}
	r := gittest.New(b)
	files := map[string]string{}
	for _, f := range ar.Files {
		files[f.Name] = string(f.Data)
	}
	r.Commit("base", files)
	r.Git("checkout", "-q", "-b", "change")
	r.Commit("change", map[string]string{"db/migrations/9999_drop.up.sql": "ALTER TABLE session_10 DROP COLUMN session_1;\n"})
	repo, err := git.Open(r.Dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Check(ctx, Options{Repo: repo, Base: "main", Head: "HEAD", Dir: "db/migrations", Format: "golang-migrate"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != 1 || len(res.Errors) > 0 {
			b.Fatalf("%d files judged, errors %v", len(res.Files), res.Errors)
		}
	}
}
