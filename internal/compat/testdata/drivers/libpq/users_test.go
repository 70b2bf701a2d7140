// Package libpqfixture produces the lib/pq fixtures of ../README.md
// (STYLE=v: %v, STYLE=gv: %#v of the *pq.Error).
package libpqfixture

import (
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"

	_ "github.com/lib/pq"
)

func TestPreviousRelease(t *testing.T) {
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries, err := os.ReadFile("../queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range strings.Split(strings.TrimSpace(string(queries)), "\n") {
		t.Run("query"+strconv.Itoa(i+1), func(t *testing.T) {
			_, err := db.Exec(q)
			if err == nil {
				return
			}
			if os.Getenv("STYLE") == "gv" {
				t.Errorf("exec: %#v", err)
				return
			}
			t.Errorf("exec: %v", err)
		})
	}
}
