package pgtree

import (
	"os"
	"testing"
)

// FuzzParse checks that Parse and pg_query.Parse agree: the same tree, or
// both an error at the same position. The seeds are the hand-written
// statements, the .sql files under ../testdata, the bench corpus and, when
// PHASEGATE_CORPORA is set, the .sql files under it.
func FuzzParse(f *testing.F) {
	for _, sql := range tricky {
		f.Add(sql)
	}
	for _, file := range sqlFiles(f, "../../testdata") {
		f.Add(file.sql)
	}
	for _, file := range benchCorpus(f) {
		f.Add(string(file.Data))
	}
	if dir := os.Getenv("PHASEGATE_CORPORA"); dir != "" {
		for _, file := range sqlFiles(f, dir) {
			f.Add(file.sql)
		}
	}
	f.Fuzz(func(t *testing.T, sql string) {
		checkSame(t, "input", sql)
	})
}
