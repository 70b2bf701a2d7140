package shop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	_ "github.com/golang-migrate/migrate/v4/source/file"
	"github.com/jackc/pgx/v5"
)

// TestMain migrates the database on start, as the application does.
func TestMain(m *testing.M) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "DATABASE_URL is not set")
		os.Exit(2)
	}
	mg, err := migrate.New("file://db/migrations", "pgx5"+url[len("postgres"):])
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(2)
	}
	if err := mg.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		fmt.Fprintln(os.Stderr, "migrate up:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	return db
}

func TestUsers(t *testing.T) {
	db := connect(t)
	ctx := context.Background()
	id, err := CreateUser(ctx, db, "ada@example.com", "Ada")
	if err != nil {
		t.Fatal(err)
	}
	u, err := GetUser(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ada@example.com" || u.Name != "Ada" {
		t.Fatalf("got %+v", u)
	}
}

func TestOrders(t *testing.T) {
	db := connect(t)
	ctx := context.Background()
	id, err := CreateUser(ctx, db, "bob@example.com", "Bob")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int64{1200, 300} {
		if err := AddOrder(ctx, db, id, c); err != nil {
			t.Fatal(err)
		}
	}
	if total, err := Spent(ctx, db, id); err != nil || total != 1500 {
		t.Fatalf("Spent = %d, %v", total, err)
	}
}
