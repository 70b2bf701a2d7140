package schema

import (
	"testing"

	"golang.org/x/tools/txtar"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// BenchmarkReplay measures the catalog replay alone (parsing and rules
// excluded): every statement of the bench corpus applied in order, as
// check replays the base history before it judges the change.
func BenchmarkReplay(b *testing.B) {
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		b.Fatal(err)
	}
	type stmt struct {
		node   *pg.Node
		origin Origin
	}
	var files [][]stmt
	total := 0
	for _, f := range ar.Files {
		res, err := pg.Parse(string(f.Data))
		if err != nil {
			b.Fatal(err)
		}
		var ss []stmt
		for _, raw := range res.Stmts {
			ss = append(ss, stmt{raw.Stmt, Origin{Path: f.Name}})
		}
		files = append(files, ss)
		total += len(ss)
	}
	b.ReportAllocs()
	for b.Loop() {
		cat := New()
		for _, ss := range files {
			for _, s := range ss {
				cat.Apply(s.node, s.origin)
			}
			cat.EndSession()
		}
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "stmts/s")
}
