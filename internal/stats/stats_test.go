package stats

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/pgtest"
)

var server *compat.Server

func TestMain(m *testing.M) {
	pgtest.Require("github.com/phasegate/phasegate/internal/stats")
	compat.LogDocker(nil)
	var err error
	server, err = compat.StartContainer(context.Background(), compat.ContainerOptions{Image: pgtest.Image(), Labels: map[string]string{"dev.phasegate.test": "stats"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	server.Close()
	os.Exit(code)
}

func database(tb testing.TB, name string) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	db, err := server.Create(ctx, name, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { server.Drop(context.Background(), db) })
	conn, err := db.Connect(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec(tb testing.TB, conn *pgx.Conn, sql string) {
	tb.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// TestReadKnownSizes reads tables of known sizes, writes the file and
// reads it back.
func TestReadKnownSizes(t *testing.T) {
	conn := database(t, "sizes")
	exec(t, conn, `CREATE SCHEMA billing`)
	exec(t, conn, `CREATE TABLE users (id bigint PRIMARY KEY, name text)`)
	exec(t, conn, `INSERT INTO users SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g`)
	exec(t, conn, `CREATE TABLE billing.plans (id int)`)
	exec(t, conn, `ANALYZE`)
	f, err := Read(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := f.Lookup("users")
	if !ok || u.Rows != 20000 || u.Bytes < 20000*100 || u.TotalBytes <= u.Bytes || u.Pages < 200 {
		t.Errorf("users = %+v (%v)", u, ok)
	}
	if p, ok := f.Lookup("billing.plans"); !ok || p.Rows != 0 {
		t.Errorf("billing.plans = %+v (%v)", p, ok)
	}
	if _, ok := f.Lookup("pg_class"); ok {
		t.Error("the system catalog is not production's data")
	}
	for _, format := range []string{"yaml", "json"} {
		var b bytes.Buffer
		if err := f.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), strings.Repeat("x", 100)) {
			t.Fatalf("the stats file holds data:\n%s", b.String())
		}
		back, err := Parse("stats."+format, b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := back.Lookup("users"); got != u || !back.Taken.Equal(f.Taken) {
			t.Errorf("%s round trip: %+v, want %+v", format, got, u)
		}
	}
	if _, err := Parse("bad.yml", []byte("tables:\n  - name: users\n    rowz: 3\n")); err == nil || !strings.Contains(err.Error(), "bad.yml") {
		t.Errorf("a typo in the file: %v", err)
	}
}

func TestEstimate(t *testing.T) {
	tb := Table{Name: "users", Rows: 400e6, Bytes: 38e9}
	if d := (Model{Rewrite: 100e6}).Estimate(Rewrite, tb); d < 6*time.Minute || d > 7*time.Minute {
		t.Errorf("rewrite of 38 GB at 100 MB/s = %v", d)
	}
	if got := Duration(6*time.Minute + 20*time.Second); got != "about 6 minutes" {
		t.Error(got)
	}
	if got := Bytes(38e9); got != "38 GB" {
		t.Error(got)
	}
	if got := Rows(4_100_000); got != "~4.1M rows" {
		t.Error(got)
	}
}

// BenchmarkThroughput measures what DefaultModel holds: how many bytes of
// table per second PostgreSQL rewrites (ALTER COLUMN TYPE), scans
// (VALIDATE CONSTRAINT) and indexes (CREATE INDEX), on a table of about
// 90 MB (1M rows). Run: go test ./internal/stats -run XXX -bench Throughput -benchtime 3x
func BenchmarkThroughput(b *testing.B) {
	conn := database(b, "throughput")
	ctx := context.Background()
	exec(b, conn, `CREATE TABLE t (id bigint, v int, note text)`)
	exec(b, conn, `INSERT INTO t SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 1000000) g`)
	exec(b, conn, `VACUUM ANALYZE t`)
	var size int64
	if err := conn.QueryRow(ctx, `SELECT pg_table_size('t')`).Scan(&size); err != nil {
		b.Fatal(err)
	}
	measure := func(name, setup, sql, undo string) {
		b.Run(name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				if setup != "" {
					exec(b, conn, setup)
				}
				start := time.Now()
				exec(b, conn, sql)
				total += time.Since(start)
				exec(b, conn, undo)
			}
			b.ReportMetric(float64(size)*float64(b.N)/total.Seconds()/1e6, "MB/s")
			b.ReportMetric(float64(size)/1e6, "table-MB")
		})
	}
	measure("rewrite", "", `ALTER TABLE t ALTER COLUMN v TYPE bigint`, `ALTER TABLE t ALTER COLUMN v TYPE int`)
	measure("scan", `ALTER TABLE t ADD CONSTRAINT v_positive CHECK (v >= 0) NOT VALID`, `ALTER TABLE t VALIDATE CONSTRAINT v_positive`, `ALTER TABLE t DROP CONSTRAINT v_positive`)
	measure("index", "", `CREATE INDEX t_note_idx ON t (note)`, `DROP INDEX t_note_idx`)
}
