package notes

import (
	"database/sql"
	"fmt"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	migrate "github.com/rubenv/sql-migrate"
)

// TestMain migrates the database on start with sql-migrate, as the
// application does.
func TestMain(m *testing.M) {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if _, err := migrate.Exec(db, "postgres", &migrate.FileMigrationSource{Dir: "migrations"}, migrate.Up); err != nil {
		fmt.Fprintln(os.Stderr, "sql-migrate up:", err)
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
	var body string
	if err := db.QueryRow("INSERT INTO notes (body) VALUES ('hi') RETURNING body").Scan(&body); err != nil || body != "hi" {
		t.Fatalf("body = %q, %v", body, err)
	}
}
