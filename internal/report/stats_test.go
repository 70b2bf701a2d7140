package report

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/stats"
)

// TestApplyStats: a locking finding says how big the table is and how
// long the work under its lock takes; on a small table it is advice.
func TestApplyStats(t *testing.T) {
	sizes := &stats.File{Tables: []stats.Table{
		{Schema: "public", Name: "users", Rows: 400_000_000, Bytes: 38e9},
	}}
	opts := StatsOptions{Model: stats.Model{Rewrite: 100e6, Scan: 400e6, IndexBuild: 50e6}, SmallRows: 10000}
	r := static(t, "0003_display_name.up.sql", exampleMigration)
	before := r.Summary.Errors
	r.ApplyStats(sizes, opts)
	var idx Finding
	for _, st := range r.Files[0].Statements {
		for _, f := range st.Findings {
			if f.Rule == "create-index-non-concurrently" {
				idx = f
			}
		}
	}
	if idx.Severity != "error" || !strings.Contains(idx.Message, "(users: ~400.0M rows, 38 GB; it indexes the table in about 13 minutes under SHARE)") {
		t.Errorf("finding: %+v", idx)
	}
	if r.Summary.Errors != before {
		t.Errorf("errors %d, before %d", r.Summary.Errors, before)
	}

	small := &stats.File{Tables: []stats.Table{{Schema: "public", Name: "users", Rows: 40, Bytes: 8192}}}
	r = static(t, "0003_display_name.up.sql", exampleMigration)
	r.ApplyStats(small, opts)
	for _, st := range r.Files[0].Statements {
		for _, f := range st.Findings {
			if f.Category == "locking" && (f.Severity != "info" || !strings.Contains(f.Message, "below stats.small_rows (10000)")) {
				t.Errorf("a locking finding on a 40-row table: %+v", f)
			}
			if f.Category == "compatibility" && f.Severity != "error" {
				t.Errorf("sizes must not change compatibility findings: %+v", f)
			}
		}
	}
	r = static(t, "0003_display_name.up.sql", exampleMigration)
	want := r.Summary
	r.ApplyStats(nil, opts)
	if r.Summary != want {
		t.Error("without stats nothing changes")
	}
}
