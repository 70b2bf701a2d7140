package compat

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/phasegate/phasegate/internal/capture"
)

// BenchmarkRecording measures what tests.record costs the compat
// scenario's suite: the example apps' own suites run on a fresh database,
// directly ("direct") and through the capture proxy ("recorded"), and the
// proof is then computed from what the proxy recorded ("prove"). The
// Python apps migrate on start (alembic upgrade head, manage.py migrate);
// the Go app's migrations are applied before the timer starts. Run with
// -count to alternate the two ways:
//
//	go test ./internal/compat -run XXX -bench Recording -benchtime 3x -count 5
//
// docs/orms.md#what-recording-costs has the figures.
func BenchmarkRecording(b *testing.B) {
	ctx := context.Background()
	py := "/usr/bin/python3"
	apps := []struct {
		name, dir, cmd string
		migrations     string // applied before the suite, when the suite does not migrate
	}{
		{"go", "../../testdata/compatapp/v1", "go test -count=1 ./...", "../../testdata/compatapp/v1/db/migrations"},
		{"alembic", "../../testdata/alembicapp/base", py + " -m alembic upgrade head && " + py + " -m unittest discover -s tests -t .", ""},
		{"django", "../../testdata/djangoapp/base", py + " manage.py migrate --no-input && " + py + " -m unittest discover -s tests -t .", ""},
	}
	seq := 0
	for _, app := range apps {
		dir, _ := filepath.Abs(app.dir)
		for _, way := range []string{"direct", "recorded"} {
			b.Run(app.name+"/"+way, func(b *testing.B) {
				statements := 0
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					seq++
					db, err := shared.Create(ctx, fmt.Sprintf("rec%d", seq), nil)
					if err != nil {
						b.Fatal(err)
					}
					if app.migrations != "" {
						applyUpFiles(b, ctx, db, app.migrations)
					}
					b.StartTimer()
					env := db.Env(nil)
					var p *capture.Proxy
					if way == "recorded" {
						addr, _ := shared.Addr()
						if p, err = capture.Start(ctx, addr); err != nil {
							b.Fatal(err)
						}
						env = db.EnvVia(nil, p.Addr())
					}
					cmd := exec.Command("sh", "-c", app.cmd)
					cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("%s: %v\n%s", app.cmd, err, out)
					}
					if p != nil {
						p.Close()
						statements = len(p.Statements())
					}
					b.StopTimer()
					shared.Drop(ctx, db)
					b.StartTimer()
				}
				if way == "recorded" {
					b.ReportMetric(float64(statements), "stmts")
				}
			})
		}
	}
}

// applyUpFiles applies the .up.sql files of dir, in name order.
func applyUpFiles(b *testing.B, ctx context.Context, db *Database, dir string) {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.up.sql"))
	sort.Strings(files)
	conn, err := db.Connect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, f := range files {
		sql, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			b.Fatalf("%s: %v", f, err)
		}
	}
}
