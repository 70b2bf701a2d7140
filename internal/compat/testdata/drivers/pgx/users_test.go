// Package pgxfixture produces the pgx fixtures of ../README.md: the
// previous release's queries (../queries.sql) run with pgx against the
// migrated schema, their errors reported the way Go test suites do
// (STYLE=v: %v, STYLE=q: %q, STYLE=slog: a JSON log line).
package pgxfixture

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPreviousRelease(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	queries, err := os.ReadFile("../queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{} // fixtures stay the same from run to run
		}
		return a
	}}))
	for i, q := range strings.Split(strings.TrimSpace(string(queries)), "\n") {
		t.Run("query"+strconv.Itoa(i+1), func(t *testing.T) {
			_, err := conn.Exec(ctx, q)
			if err == nil {
				return
			}
			switch os.Getenv("STYLE") {
			case "q":
				t.Errorf("exec: %q", err.Error())
			case "slog":
				log.Error("query failed", "query", q, "err", err)
				t.Fail()
			default:
				t.Errorf("exec: %v", err)
			}
		})
	}
}
