package compat

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/source"
)

// benchRepo is a repository whose main branch has the first n migrations
// of the benchmark corpus and whose work tree adds one more.
func benchRepo(b *testing.B, n int) *git.Repo {
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		b.Fatal(err)
	}
	r := gittest.New(b)
	files := map[string]string{}
	for _, f := range ar.Files[:n] {
		files[f.Name] = string(f.Data)
	}
	r.Commit("history", files)
	r.Write(map[string]string{ar.Files[n].Name: string(ar.Files[n].Data)})
	repo, err := git.Open(r.Dir)
	if err != nil {
		b.Fatal(err)
	}
	return repo
}

// BenchmarkOverhead measures what a runtime check costs besides the
// project's tests (the test command is "true"), for a history of 100
// migrations: a container started from the local image, the previous
// schema built once, the new migrations applied, and one cloned database
// per scenario. Reported per run:
//
//	server-ms    container start to a ready server
//	previous-ms  the previous schema (100 migrations)
//	new-ms       the change's migrations on a clone, and the catalog diff
//	clone-ms     one scenario's database (CREATE DATABASE ... TEMPLATE)
func BenchmarkOverhead(b *testing.B) {
	repo := benchRepo(b, 100)
	ctx := context.Background()
	prev, _ := repo.Resolve(ctx, "main")
	var t Timings
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := Run(ctx, Options{Repo: repo, Previous: prev, Format: source.Plain{}, Dir: "db/migrations",
			Image: testImage(), Labels: testLabels, TestCommand: "true", Jobs: 3})
		if err != nil {
			b.Fatal(err)
		}
		if res.Verdict != StatusPass {
			b.Fatalf("verdict %s: %s %+v", res.Verdict, res.MigrationError, res.Scenarios)
		}
		total += time.Since(start)
		t.ServerReady += res.Timings.ServerReady
		t.PreviousSchema += res.Timings.PreviousSchema
		t.NewSchema += res.Timings.NewSchema
		t.Clones += res.Timings.Clones
	}
	ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
	b.ReportMetric(ms(t.ServerReady), "server-ms")
	b.ReportMetric(ms(t.PreviousSchema), "previous-ms")
	b.ReportMetric(ms(t.NewSchema), "new-ms")
	b.ReportMetric(ms(t.Clones)/2, "clone-ms") // two scenario databases (baseline, compat)
	b.ReportMetric(ms(total), "total-ms")
}

// BenchmarkClone measures how phasegate gives a scenario a fresh copy of
// the previous schema: CREATE DATABASE ... TEMPLATE, one database per
// scenario (so scenarios can run in parallel), with either strategy.
func BenchmarkClone(b *testing.B) {
	ctx := context.Background()
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := shared.Create(ctx, "clone_template", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer shared.Drop(ctx, tmpl)
	conn, err := tmpl.Connect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	fsys := fstestFS(ar)
	list, _ := source.Plain{}.List(fsys, "db/migrations")
	ms, err := Load(fsys, source.Plain{}, list[:100])
	if err != nil {
		b.Fatal(err)
	}
	if err := (Runner{}).Apply(ctx, conn, ms); err != nil {
		b.Fatal(err)
	}
	conn.Close(ctx)
	for _, strategy := range []string{"wal_log", "file_copy"} {
		b.Run("template-"+strategy, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				name := shared.prefix + "clone"
				if _, err := shared.admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl.Name+" STRATEGY "+strategy); err != nil {
					b.Fatal(err)
				}
				shared.admin.Exec(ctx, "DROP DATABASE "+name)
			}
		})
	}
}

func fstestFS(ar *txtar.Archive) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range ar.Files {
		m[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return m
}
