package checker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// FuzzClassify feeds arbitrary bytes through parse and classify, the path
// every migration file takes. It must never panic, and every statement and
// finding must point inside the file. The seeds (every golden case and rule
// example) run in the normal test run; go test -fuzz=FuzzClassify
// ./checker explores further.
func FuzzClassify(f *testing.F) {
	cases, _ := filepath.Glob("../../testdata/cases/*/*.sql")
	for _, p := range cases {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint8(0))
		}
	}
	for _, r := range Rules() {
		for _, ex := range r.Examples {
			f.Add([]byte(ex.SQL), uint8(1))
		}
	}
	f.Add([]byte("\xef\xbb\xbfSELECT 1;\r\n\\set x\r\nDROP TABLE t;"), uint8(2))
	base := replay(f, exampleBase)
	f.Fuzz(func(t *testing.T, src []byte, mode uint8) {
		file, err := sqltext.Parse(src, sqltext.Options{})
		if err != nil {
			var pe *sqltext.Error
			if !asError(err, &pe) {
				t.Fatalf("Parse error without a position: %v", err)
			}
			checkPos(t, src, pe.Pos)
			return
		}
		tx := []source.TxMode{source.TxNone, source.TxFile, source.TxImplicit, source.TxAuto}[int(mode)%4]
		ck := New(clone(t, base), Options{Version: 10 + int(mode)%8})
		res := ck.File(Input{Migration: source.Migration{Path: "fuzz.sql", Format: "goose"}, Tx: tx, File: file})
		if len(res.Statements) != len(file.Statements) {
			t.Fatalf("%d results for %d statements", len(res.Statements), len(file.Statements))
		}
		for _, s := range res.Statements {
			checkPos(t, src, s.Pos)
			checkPos(t, src, s.EndPos)
			for _, fd := range s.Findings {
				if fd.Pos != nil {
					checkPos(t, src, *fd.Pos)
				}
				if fd.Message == "" || fd.Rule == nil {
					t.Fatalf("empty finding %+v", fd)
				}
			}
		}
	})
}

func checkPos(t *testing.T, src []byte, p sqltext.Position) {
	t.Helper()
	lines := 1
	for _, b := range src {
		if b == '\n' {
			lines++
		}
	}
	if p.Line < 1 || p.Line > lines || p.Column < 1 {
		t.Fatalf("position %v outside a file of %d lines", p, lines)
	}
}
