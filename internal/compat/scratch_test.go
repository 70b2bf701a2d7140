package compat

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/config"
)

// Each Database is a new, empty database on the server of the URL;
// Close drops them all, and leaves the server running.
func TestScratchDatabasesAreNewAndDropped(t *testing.T) {
	ctx := context.Background()
	s := NewScratch(config.Server{URL: sharedURL()}, nil, "")
	var urls []string
	for range 2 {
		u, err := s.Database(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var tables int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil || tables != 0 {
			t.Errorf("%s: %d tables (%v)", u, tables, err)
		}
		conn.Exec(ctx, "CREATE TABLE left_behind (id int)")
		conn.Close(ctx)
		urls = append(urls, u)
	}
	if urls[0] == urls[1] {
		t.Fatalf("the same database twice: %s", urls[0])
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if conn, err := pgx.Connect(ctx, u); err == nil {
			conn.Close(ctx)
			t.Errorf("%s is still there after Close", u)
		}
	}
	if conn, err := pgx.Connect(ctx, sharedURL()); err != nil {
		t.Errorf("the server stopped with Close: %v", err)
	} else {
		conn.Close(ctx)
	}
}
