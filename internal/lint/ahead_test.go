package lint

import (
	"fmt"
	"io/fs"
	"iter"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/source"
)

// Files parsed ahead on several cores are handed over in the jobs' order,
// each with its own result (a file that does not parse included), and a
// consumer that stops early stops the parsing.
func TestAheadKeepsOrder(t *testing.T) {
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			fsys := fstest.MapFS{}
			testAheadKeepsOrder(t, fsys, fsys)
			batch := &batchFS{MapFS: fstest.MapFS{}}
			testAheadKeepsOrder(t, batch.MapFS, batch)
			if batch.calls != 2 {
				t.Errorf("a BatchReader's history was read in %d batches, want one a run", batch.calls)
			}
		})
	}
}

// batchFS is a source.BatchReader that counts its batches.
type batchFS struct {
	fstest.MapFS
	calls int
}

func (b *batchFS) ReadFiles(names []string) iter.Seq2[[]byte, error] {
	b.calls++
	return func(yield func([]byte, error) bool) {
		for _, n := range names {
			if !yield(b.ReadFile(n)) {
				return
			}
		}
	}
}

func testAheadKeepsOrder(t *testing.T, files fstest.MapFS, fsys fs.FS) {
	var jobs []job
	for i := range 200 {
		name := fmt.Sprintf("m/%03d_t.up.sql", i)
		sql := fmt.Sprintf("CREATE TABLE t%d (id int);\nALTER TABLE t%d ADD COLUMN c%d int;", i, i, i)
		if i%17 == 0 {
			sql = "CREATE TABLE (;" // a parse error at its place
		}
		files[name] = &fstest.MapFile{Data: []byte(sql)}
		jobs = append(jobs, job{fsys: fsys, format: source.GolangMigrate{}, m: source.Migration{Path: name}})
	}
	next := 0
	ahead(jobs, func(i int, p parsed) bool {
		if i != next {
			t.Fatalf("got job %d, want %d", i, next)
		}
		next++
		switch {
		case i%17 == 0 && p.err == nil:
			t.Errorf("job %d: no parse error", i)
		case i%17 != 0 && (p.err != nil || len(p.file.Statements) != 2 || p.file.Statements[0].Text != fmt.Sprintf("CREATE TABLE t%d (id int)", i)):
			t.Errorf("job %d: %v %+v", i, p.err, p.file)
		}
		return true
	})
	if next != len(jobs) {
		t.Fatalf("%d of %d jobs handed over", next, len(jobs))
	}
	seen := 0
	ahead(jobs, func(i int, p parsed) bool { seen++; return i < 9 })
	if seen != 10 {
		t.Errorf("the consumer stopped after 10 jobs and was handed %d", seen)
	}
}
