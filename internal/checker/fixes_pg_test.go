package checker_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/pgtest"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// stepSQL finds the SQL of a step of a fix: from its first statement
// keyword to its last semicolon (a note after it, "  (...)", is cut off
// first).
var (
	stepSQL     = regexp.MustCompile(`\b(ALTER|CREATE|DROP|REINDEX|DELETE) [A-Z].*;`)
	placeholder = regexp.MustCompile(`<[a-z][a-z ]*>`)
	conditional = regexp.MustCompile(`^\d+\. if `)
)

// TestFixesRunOnPostgreSQL runs the SQL of every fix a flagged rule
// example gets on PostgreSQL: on the example's production schema, after
// the example's statements before the flagged one, each step in order. A
// fix whose SQL PostgreSQL refuses (a misplaced keyword, a constraint
// named differently in two steps) fails here. Steps with placeholders
// (<value>, <partition>) and steps for when something failed ("if it
// fails: ...") are left out.
func TestFixesRunOnPostgreSQL(t *testing.T) {
	ctx := context.Background()
	srv := startPostgres(t)
	ran, n := 0, 0
	for _, r := range checker.Rules() {
		for _, ex := range r.Examples {
			if !ex.Flagged || ex.Version != 0 && ex.Version < 14 {
				continue // the image is PostgreSQL 15; fixes for 11 differ on purpose
			}
			base, f := parseExample(t, ex)
			cat := schema.New()
			bf, err := sqltext.Parse([]byte(base), sqltext.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range bf.Statements {
				cat.Apply(s.Node, schema.Origin{Path: "base.sql"})
			}
			res := checker.New(cat, checker.Options{Version: ex.Version, Severity: map[string]checker.Severity{r.ID: checker.Warning}}).
				File(checker.Input{Migration: source.Migration{Path: "example.sql"}, Tx: source.TxNone, File: f})
			for i, st := range res.Statements {
				for _, fd := range st.Findings {
					if fd.Rule != r || fd.Fix == r.Fix || !strings.ContainsAny(fd.Fix, ";") {
						continue
					}
					n++
					db, err := srv.Create(ctx, fmt.Sprintf("fix%d", n), nil)
					if err != nil {
						t.Fatal(err)
					}
					conn, err := db.Connect(ctx)
					if err != nil {
						t.Fatal(err)
					}
					where := fmt.Sprintf("%s on %q", r.ID, ex.SQL)
					run := func(what, sql string) bool {
						if _, err := conn.Exec(ctx, sql); err != nil {
							var pe *pgconn.PgError
							if errors.As(err, &pe) && pe.Code == "2BP01" {
								return true // other objects of the example schema depend on it: the SQL itself is right
							}
							t.Errorf("%s: %s %q: %v\nfix:\n%s", where, what, sql, err, fd.Fix)
							return false
						}
						return true
					}
					ok := run("the production schema", base)
					for _, before := range f.Statements[:i] {
						if before.Node.GetTransactionStmt() != nil {
							continue // the fix's steps run on their own, as their notes say
						}
						ok = ok && run("the example's statement", before.Text)
					}
					for _, line := range strings.Split(fd.Fix, "\n") {
						if note := strings.Index(line, "  ("); note >= 0 {
							line = line[:note]
						}
						sql := stepSQL.FindString(line)
						if ok && sql != "" && !placeholder.MatchString(sql) && !conditional.MatchString(line) {
							ok = run("the fix's step", sql)
							ran++
						}
					}
					conn.Close(ctx)
					srv.Drop(ctx, db)
				}
			}
		}
	}
	if ran < 20 {
		t.Errorf("only %d fix steps ran: the test sees too little", ran)
	}
	t.Logf("%d fix steps of %d findings ran", ran, n)
}

// startPostgres starts PostgreSQL in Docker for the test; it stops when the
// test ends.
func startPostgres(t *testing.T) *compat.Server {
	t.Helper()
	img := pgtest.Need(t)
	compat.LogDocker(nil)
	srv, err := compat.StartContainer(context.Background(), compat.ContainerOptions{Image: img, Labels: map[string]string{"dev.phasegate.test": "checker"}})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// parseExample returns an example's production schema and its SQL parsed.
func parseExample(t *testing.T, ex checker.Example) (string, *sqltext.File) {
	t.Helper()
	base := ex.Base
	if base == "" {
		base = checker.ExampleBase
	}
	f, err := sqltext.Parse([]byte(ex.SQL), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return base, f
}
