package checker_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/source"
)

// TestRuntimeExamplesMeasureOnPostgreSQL measures again what the examples
// of the runtime rules say the runtime check measures: on PostgreSQL, the
// example's production schema, then its SQL through the runtime check's
// own lock trace (compat.TraceLocks). An example whose measured locks no
// database takes would test the rule against invented facts.
func TestRuntimeExamplesMeasureOnPostgreSQL(t *testing.T) {
	ctx := context.Background()
	srv := startPostgres(t)
	n := 0
	for _, r := range checker.Rules() {
		for _, ex := range r.Examples {
			if ex.Measured == nil {
				if r.Runtime != nil {
					t.Errorf("rule %s: a runtime rule's example says what was measured (Measured)", r.ID)
				}
				continue
			}
			n++
			base, f := parseExample(t, ex)
			db, err := srv.Create(ctx, fmt.Sprintf("measure%d", n), nil)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := db.Connect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, base); err != nil {
				t.Fatalf("rule %s: the production schema: %v", r.ID, err)
			}
			prev, err := compat.TakeSnapshot(ctx, conn)
			if err != nil {
				t.Fatal(err)
			}
			traces, err := compat.TraceLocks(ctx, conn, []compat.Migration{{Migration: source.Migration{Path: "example.sql"}, File: f}}, prev)
			if err != nil {
				t.Fatalf("rule %s: %q: %v", r.ID, ex.SQL, err)
			}
			got := []checker.MeasuredLock{}
			for _, l := range traces[len(traces)-1].Locks {
				got = append(got, checker.MeasuredLock{Relation: l.Relation, Mode: l.Mode, Rewrote: l.Rewrote})
			}
			if !reflect.DeepEqual(got, ex.Measured) {
				t.Errorf("rule %s: %q: PostgreSQL measures %+v, the example says %+v", r.ID, ex.SQL, got, ex.Measured)
			}
			conn.Close(ctx)
			srv.Drop(ctx, db)
		}
	}
	if n == 0 {
		t.Fatal("no runtime example was measured")
	}
}
