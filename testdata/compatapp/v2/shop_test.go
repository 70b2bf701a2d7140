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

func TestMain(m *testing.M) {
	url := os.Getenv("DATABASE_URL")
	mg, err := migrate.New("file://db/migrations", "pgx5"+url[len("postgres"):])
	if err == nil {
		err = mg.Up()
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
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
	id, err := CreateUser(ctx, db, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := GetUser(ctx, db, id); err != nil || u.Email != "ada@example.com" {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if err := AddOrder(ctx, db, id, 100); err != nil {
		t.Fatal(err)
	}
}
