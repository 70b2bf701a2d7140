package shop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

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

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	id, err := CreateUser(ctx, db, "ada@example.com", "Ada", "pro")
	if err != nil {
		t.Fatal(err)
	}
	if err := RenameUser(ctx, db, id, "Ada L."); err != nil {
		t.Fatal(err)
	}
	u, err := GetUser(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ada@example.com" || u.FullName != "Ada L." || u.Plan != "pro" {
		t.Fatalf("GetUser = %+v", u)
	}
	if err := AddMemo(ctx, db, id, "hello"); err != nil {
		t.Fatal(err)
	}
	if n, err := Memos(ctx, db, id); err != nil || n != 1 {
		t.Fatalf("Memos = %d, %v", n, err)
	}
}
