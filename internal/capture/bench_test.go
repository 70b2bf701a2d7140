package capture_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkRoundTrip measures what recording costs a test suite per
// statement: one connection runs a prepared single-row SELECT and an
// INSERT, directly and through the proxy. The difference between the two
// is the proxy's latency per round trip; a suite's recording overhead is
// that times its statement count (docs/runtime.md#what-recording-costs).
func BenchmarkRoundTrip(b *testing.B) {
	db := database(b)
	direct, err := pgx.Connect(context.Background(), db.url)
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close(context.Background())
	exec1(b, direct, "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)")
	exec1(b, direct, "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g")
	for _, way := range []string{"direct", "proxied"} {
		conn := direct
		if way == "proxied" {
			conn = connect(b, proxy(b, db), db, "")
		}
		ctx := context.Background()
		b.Run(way+"/select", func(b *testing.B) {
			var name string
			for i := 0; i < b.N; i++ {
				if err := conn.QueryRow(ctx, "SELECT name FROM items WHERE id = $1", i%1000+1).Scan(&name); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(way+"/insert", func(b *testing.B) {
			exec1(b, conn, "TRUNCATE items")
			for i := 0; i < b.N; i++ {
				if _, err := conn.Exec(ctx, "INSERT INTO items (id, name) VALUES ($1, $2)", i, "item"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
