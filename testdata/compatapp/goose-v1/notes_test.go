package notes

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// TestMain migrates the database on start with goose, as the application does.
func TestMain(m *testing.M) {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := goose.SetDialect("postgres"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	goose.SetLogger(goose.NopLogger())
	if err := goose.Up(db, "migrations"); err != nil {
		fmt.Fprintln(os.Stderr, "goose up:", err)
		os.Exit(2)
	}
	db.Close()
	os.Exit(m.Run())
}

func TestNotes(t *testing.T) {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRowContext(context.Background(), "INSERT INTO notes (body) VALUES ('hi') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := db.QueryRow("SELECT body FROM notes WHERE id = $1", id).Scan(&body); err != nil || body != "hi" {
		t.Fatalf("body = %q, %v", body, err)
	}
}
