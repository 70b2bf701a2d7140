package compat

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkRecording measures what tests.record costs the compat
// scenario's suite: each iteration runs an example app's own suite twice
// on fresh databases, directly and through the capture proxy, in turns
// (which goes first alternates), and reports the median time of each way
// and the overhead. Each suite migrates its database on start
// (golang-migrate's up, alembic upgrade head, manage.py migrate), as these
// apps do.
//
//	go test ./internal/compat -run XXX -bench Recording -benchtime 7x
//
// docs/orms.md#what-recording-costs has the figures.
func BenchmarkRecording(b *testing.B) {
	ctx := context.Background()
	needPython(b, "alembic", "sqlalchemy", "django", "psycopg2")
	py := debianPython
	apps := []struct{ name, dir, cmd string }{
		{"go", "../../testdata/compatapp/v1", "go test -count=1 ./..."},
		{"alembic", "../../testdata/alembicapp/base", py + " -m alembic upgrade head && " + py + " -m unittest discover -s tests -t ."},
		{"django", "../../testdata/djangoapp/base", py + " manage.py migrate --no-input && " + py + " -m unittest discover -s tests -t ."},
	}
	seq := 0
	// suite runs the app's suite on a fresh database, through the proxy
	// when recorded, and returns how long it took and what was recorded.
	suite := func(b *testing.B, dir, command string, recorded bool) (time.Duration, int) {
		seq++
		db, err := shared.Create(ctx, fmt.Sprintf("rec%d", seq), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer shared.Drop(ctx, db)
		start := time.Now()
		var rec *recording // nil: the suite reaches the database directly
		if recorded {
			if rec = startRecording(ctx, shared); rec.proxy == nil {
				b.Fatal(rec.err)
			}
		}
		cmd := exec.Command("sh", "-c", command)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), rec.env(db, nil)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", command, err, out)
		}
		rec.close()
		n := 0
		if rec != nil {
			n = len(rec.proxy.Statements())
		}
		return time.Since(start), n
	}
	for _, app := range apps {
		dir, _ := filepath.Abs(app.dir)
		b.Run(app.name, func(b *testing.B) {
			var direct, recorded []time.Duration
			statements := 0
			for i := 0; i < b.N; i++ {
				for _, rec := range [][]bool{{false, true}, {true, false}}[i%2] {
					d, n := suite(b, dir, app.cmd, rec)
					if rec {
						recorded, statements = append(recorded, d), n
					} else {
						direct = append(direct, d)
					}
				}
			}
			md, mr := median(direct), median(recorded)
			b.ReportMetric(float64(md.Milliseconds()), "direct-ms")
			b.ReportMetric(float64(mr.Milliseconds()), "recorded-ms")
			b.ReportMetric(100*float64(mr-md)/float64(md), "overhead-%")
			b.ReportMetric(float64(statements), "stmts")
		})
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
