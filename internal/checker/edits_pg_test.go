package checker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// TestEditsRunOnPostgreSQL applies each edit of TestEdits to its file and
// runs the edited file on PostgreSQL the way its tool runs it (in a
// transaction block or not, per the format; Flyway's mixed files
// refused), on the example's production schema: the edited migration
// runs, and leaves no invalid index and no constraint left unvalidated.
func TestEditsRunOnPostgreSQL(t *testing.T) {
	ctx := context.Background()
	srv := startPostgres(t)
	ran := 0
	for i, tc := range checker.EditCases() {
		if !tc.HasEdit {
			continue
		}
		t.Run(tc.Name, func(t *testing.T) {
			format, err := source.Lookup(tc.Format)
			if err != nil {
				t.Fatal(err)
			}
			m := source.Migration{Path: "m.sql", Format: tc.Format}
			load := func(src string) compat.Migration {
				script, err := format.Script(m, []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				if script.Tx != tc.Tx {
					t.Fatalf("%s runs the file as %v, the case says %v", tc.Format, script.Tx, tc.Tx)
				}
				f, err := sqltext.Parse([]byte(src), sqltext.Options{Regions: script.Regions})
				if err != nil {
					t.Fatal(err)
				}
				return compat.Migration{Migration: m, Tx: script.Tx, File: f}
			}
			orig := load(tc.SQL)
			cat := schema.New()
			bf, _ := sqltext.Parse([]byte(checker.ExampleBase), sqltext.Options{})
			for _, s := range bf.Statements {
				cat.Apply(s.Node, schema.Origin{Path: "base.sql"})
			}
			res := checker.New(cat, checker.Options{Severity: map[string]checker.Severity{"missing-statement-timeout": checker.Warning}}).
				File(checker.Input{Migration: m, Tx: orig.Tx, File: orig.File})
			var edit *checker.Edit
			for _, st := range res.Statements {
				for _, fd := range st.Findings {
					if fd.Rule.ID == tc.Rule && edit == nil {
						edit = fd.Edit
					}
				}
			}
			if edit == nil {
				t.Fatalf("no edit on the %s finding", tc.Rule)
			}
			edited, err := checker.ApplyEdit(tc.SQL, edit)
			if err != nil {
				t.Fatal(err)
			}
			db, err := srv.Create(ctx, fmt.Sprintf("edit%d", i), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Drop(ctx, db)
			conn, err := db.Connect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, checker.ExampleBase); err != nil {
				t.Fatal(err)
			}
			if err := (compat.Runner{}).Apply(ctx, conn, []compat.Migration{load(edited)}); err != nil {
				t.Fatalf("the edited migration fails: %v\n%s", err, edited)
			}
			var invalid []string
			rows, err := conn.Query(ctx, `SELECT 'index ' || indexrelid::regclass FROM pg_index WHERE NOT indisvalid
				UNION ALL SELECT 'constraint ' || conname FROM pg_constraint WHERE NOT convalidated`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				invalid = append(invalid, s)
			}
			if rows.Err() != nil || len(invalid) > 0 {
				t.Errorf("after the edited migration: %s %v\n%s", strings.Join(invalid, ", "), rows.Err(), edited)
			}
			ran++
		})
	}
	if ran < 10 {
		t.Errorf("only %d edited migrations ran", ran)
	}
}
