package notes

import (
	"fmt"
	"os"
	"testing"

	"github.com/gobuffalo/pop/v6"
)

// TestMain migrates the database on start with pop's file migrator, as
// the application does.
func TestMain(m *testing.M) {
	conn, err := pop.NewConnection(&pop.ConnectionDetails{URL: os.Getenv("DATABASE_URL")})
	if err == nil {
		err = conn.Open()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pop connection:", err)
		os.Exit(2)
	}
	mig, err := pop.NewFileMigrator("migrations", conn)
	if err == nil {
		err = mig.Up()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pop migrate:", err)
		os.Exit(2)
	}
	conn.Close()
	os.Exit(m.Run())
}

func TestNotes(t *testing.T) {
	conn, err := pop.NewConnection(&pop.ConnectionDetails{URL: os.Getenv("DATABASE_URL")})
	if err == nil {
		err = conn.Open()
	}
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var body string
	if err := conn.RawQuery("INSERT INTO notes (body) VALUES ('hi') RETURNING body").First(&body); err != nil || body != "hi" {
		t.Fatalf("body = %q, %v", body, err)
	}
}
