package pgtree

import (
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// BenchmarkParse parses every file of testdata/bench/corpus.txtar with
// Parse, with parseProtobuf (its fallback) and with pg_query.Parse, and
// reports statements per second.
func BenchmarkParse(b *testing.B) {
	var files []string
	stmts := 0
	for _, f := range benchCorpus(b) {
		res, err := pg_query.Parse(string(f.Data))
		if err != nil {
			b.Fatalf("%s: %v", f.Name, err)
		}
		files = append(files, string(f.Data))
		stmts += len(res.Stmts)
	}
	for _, bc := range []struct {
		name  string
		parse func(string) error
	}{
		{"pgtree", func(sql string) error { _, err := Parse(sql); return err }},
		{"protobuf", func(sql string) error { _, err := parseProtobuf(sql); return err }},
		{"pg_query", func(sql string) error { _, err := pg_query.Parse(sql); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, sql := range files {
					if err := bc.parse(sql); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(stmts)*float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
		})
	}
}
