package stats

import (
	"fmt"
	"math"
	"time"
)

// Work is what a statement makes PostgreSQL do to a whole table while it
// holds a lock.
type Work int

const (
	// Rewrite writes a new copy of the table (and rebuilds its indexes).
	Rewrite Work = iota + 1
	// Scan reads the table (a validation, SET NOT NULL without a check).
	Scan
	// IndexBuild reads the table and sorts it into a new index.
	IndexBuild
)

func (w Work) String() string {
	switch w {
	case Rewrite:
		return "rewrites"
	case Scan:
		return "scans"
	case IndexBuild:
		return "indexes"
	}
	return "touches"
}

// Model is how fast PostgreSQL does each kind of work, in bytes of table
// per second.
type Model struct {
	Rewrite, Scan, IndexBuild float64
}

// DefaultModel holds the throughputs BenchmarkThroughput measured on
// PostgreSQL 15 in Docker on this project's development machine (2 vCPUs,
// data on tmpfs, the machine shared and loaded), rounded down: rewrite
// 60 MB/s, scan 650 MB/s, B-tree build over a text column 14 MB/s
// (docs/stats.md has the command, the machine and the figures). They are
// orders of magnitude, not promises: production's disks, its other load
// and its indexes change them; what a review needs is the difference
// between seconds and hours.
var DefaultModel = Model{Rewrite: 60e6, Scan: 650e6, IndexBuild: 14e6}

// Estimate is how long w takes on t under model m.
func (m Model) Estimate(w Work, t Table) time.Duration {
	rate := map[Work]float64{Rewrite: m.Rewrite, Scan: m.Scan, IndexBuild: m.IndexBuild}[w]
	if rate <= 0 || t.Bytes <= 0 {
		return 0
	}
	return time.Duration(float64(t.Bytes) / rate * float64(time.Second))
}

// Bytes writes a size as people read it: 38 GB, 512 MB, 8 kB.
func Bytes(n int64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	if f < 10 {
		return fmt.Sprintf("%.1f %s", f, units[i])
	}
	return fmt.Sprintf("%.0f %s", f, units[i])
}

// Rows writes a row count as people read it: ~4.1M rows.
func Rows(n int64) string {
	switch {
	case n < 0:
		return "rows unknown (never analyzed)"
	case n < 1000:
		return fmt.Sprintf("~%d rows", n)
	case n < 1e6:
		return fmt.Sprintf("~%.1fk rows", float64(n)/1e3)
	case n < 1e9:
		return fmt.Sprintf("~%.1fM rows", float64(n)/1e6)
	}
	return fmt.Sprintf("~%.1fG rows", float64(n)/1e9)
}

// Duration writes an estimate as people read it: about 6 minutes.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "under a second"
	case d < time.Minute:
		return fmt.Sprintf("about %d seconds", int(math.Round(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("about %d minutes", int(math.Round(d.Minutes())))
	}
	return fmt.Sprintf("about %.1f hours", d.Hours())
}
