package checker

import (
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// BenchmarkClassify measures the rules alone (parsing excluded) over the
// benchmark corpus: every file judged against the catalog the earlier
// files built.
func BenchmarkClassify(b *testing.B) {
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		b.Fatal(err)
	}
	var files []*sqltext.File
	stmts := 0
	for _, f := range ar.Files {
		pf, err := sqltext.Parse(f.Data, sqltext.Options{})
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, pf)
		stmts += len(pf.Statements)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ck := New(schema.New(), Options{})
		for j, f := range files {
			ck.File(Input{Migration: source.Migration{Path: ar.Files[j].Name, Format: "golang-migrate"}, Tx: source.TxImplicit, File: f})
		}
	}
	b.ReportMetric(float64(stmts*b.N)/b.Elapsed().Seconds(), "stmts/s")
}
