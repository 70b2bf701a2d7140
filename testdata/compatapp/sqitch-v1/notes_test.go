package notes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMain deploys the database on start with sqitch, as the application
// does (the PG* variables say where).
func TestMain(m *testing.M) {
	cmd := exec.Command("sqitch", "deploy", "db:pg:")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "sqitch deploy:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func TestNotes(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var body string
	if err := conn.QueryRow(ctx, "INSERT INTO notes (body) VALUES ('hi') RETURNING body").Scan(&body); err != nil || body != "hi" {
		t.Fatalf("body = %q, %v", body, err)
	}
}
