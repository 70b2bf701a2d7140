package report

import (
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/internal/stats"
)

// StatsOptions say how production's table sizes weigh on the findings.
type StatsOptions struct {
	Model stats.Model
	// SmallRows: locking findings on tables with fewer rows are advice
	// (info); 0 keeps their severity.
	SmallRows int64
}

// ApplyStats adds production's sizes to the locking findings (the table's
// rows and bytes, and how long the work under the lock takes at the
// model's throughput), and makes those on small tables info. Without a
// stats file (f nil) nothing changes.
func (r *Report) ApplyStats(f *stats.File, opts StatsOptions) {
	if f == nil {
		return
	}
	for fi := range r.Files {
		for si := range r.Files[fi].Statements {
			applyStats(&r.Files[fi].Statements[si], f, opts)
		}
	}
	r.Finish()
}

func applyStats(st *Statement, f *stats.File, opts StatsOptions) {
	var locking []*Finding
	for i := range st.Findings {
		if st.Findings[i].Category == "locking" {
			locking = append(locking, &st.Findings[i])
		}
	}
	if len(locking) == 0 || len(st.ExpectedLocks) == 0 {
		return
	}
	// The biggest table the statement locks decides.
	var big stats.Table
	var lock Lock
	known, small := 0, true
	for _, l := range st.ExpectedLocks {
		t, ok := f.Lookup(l.Relation)
		if !ok {
			small = false
			continue
		}
		known++
		if t.Rows < 0 || opts.SmallRows <= 0 || t.Rows >= opts.SmallRows {
			small = false
		}
		if known == 1 || t.Bytes > big.Bytes {
			big, lock = t, l
		}
	}
	if known == 0 {
		return
	}
	name := big.Name
	if big.Schema != "public" {
		name = big.Schema + "." + big.Name
	}
	size := fmt.Sprintf("%s: %s, %s", name, stats.Rows(big.Rows), stats.Bytes(big.Bytes))
	for _, fd := range locking {
		work := workOf(fd.Rule, lock)
		note := size
		if work != 0 {
			if d := opts.Model.Estimate(work, big); d > 0 {
				note += fmt.Sprintf("; it %s the table in %s under %s", work, stats.Duration(d), modeWords(lock.Mode))
			}
		}
		if small {
			fd.Severity = "info"
			note += fmt.Sprintf("; below stats.small_rows (%d), so this is advice", opts.SmallRows)
		}
		fd.Message += " (" + note + ")"
	}
}

// workOf is the work a locking finding is about: the rules that flag a
// rewrite, a scan or an index build under a lock. Other locking findings
// (a missing lock_timeout, two tables locked at once) get the size alone.
func workOf(rule string, l Lock) stats.Work {
	switch rule {
	case "create-index-non-concurrently", "add-unique-constraint", "add-exclusion-constraint", "reindex-non-concurrently":
		return stats.IndexBuild
	case "table-rewrite", "add-column-rewrite", "alter-column-type-rewrite", "add-column-volatile-default", "vacuum-full", "cluster":
		return stats.Rewrite
	case "set-not-null-scan", "add-check-validated", "add-foreign-key-validated", "domain-constraint", "attach-partition":
		if l.Rewrite {
			return stats.Rewrite
		}
		return stats.Scan
	}
	return 0
}

// modeWords writes a lock mode as PostgreSQL's documentation names it.
func modeWords(mode string) string {
	m := strings.TrimSuffix(mode, "Lock")
	var b strings.Builder
	for i, r := range m {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
