package lint

import (
	"fmt"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/source"
)

// Files parsed ahead on several cores are handed over in the jobs' order,
// each with its own result (a file that does not parse included), and a
// consumer that stops early stops the parsing.
func TestAheadKeepsOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	fsys := fstest.MapFS{}
	var jobs []job
	for i := range 200 {
		name := fmt.Sprintf("m/%03d_t.up.sql", i)
		sql := fmt.Sprintf("CREATE TABLE t%d (id int);\nALTER TABLE t%d ADD COLUMN c%d int;", i, i, i)
		if i%17 == 0 {
			sql = "CREATE TABLE (;" // a parse error at its place
		}
		fsys[name] = &fstest.MapFile{Data: []byte(sql)}
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
