package checker

import (
	"errors"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// exampleBase is the production schema rule examples run against unless
// they bring their own.
const exampleBase = `
CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (
	id bigint PRIMARY KEY,
	email varchar(255) NOT NULL,
	name text,
	status text DEFAULT 'active',
	created_at timestamptz NOT NULL DEFAULT now(),
	org_id bigint
);
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE events (id bigint, kind int, payload json);
CREATE MATERIALIZED VIEW user_stats AS SELECT count(*) AS n FROM users;
CREATE VIEW active_users AS SELECT * FROM users WHERE status = 'active';
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SEQUENCE invoice_seq;
`

// replay builds a catalog from history SQL.
func replay(t testing.TB, sql string) *schema.Catalog {
	t.Helper()
	cat := schema.New()
	f, err := sqltext.Parse([]byte(sql), sqltext.Options{})
	if err != nil {
		t.Fatalf("base schema: %v", err)
	}
	for _, s := range f.Statements {
		cat.Apply(s.Node, schema.Origin{Path: "base.sql"})
	}
	return cat
}

// runExample judges one example's SQL and returns the findings of rule id.
func runExample(t *testing.T, r *Rule, ex Example) []Finding {
	t.Helper()
	base := ex.Base
	if base == "" {
		base = exampleBase
	}
	f, err := sqltext.Parse([]byte(ex.SQL), sqltext.Options{})
	if err != nil {
		t.Fatalf("example does not parse: %v\n%s", err, ex.SQL)
	}
	sev := map[string]Severity{}
	if r.Severity == Off {
		sev[r.ID] = Info
	}
	opts := Options{Version: ex.Version, Severity: sev}
	res := New(replay(t, base), opts).File(Input{Migration: source.Migration{Path: "example.sql", Format: "plain"}, Tx: source.TxNone, File: f})
	var got []Finding
	if ex.Measured != nil && len(res.Statements) > 0 {
		// A runtime example: what was measured of the last statement.
		last := res.Statements[len(res.Statements)-1]
		res.Findings = append(res.Findings, opts.Runtime("example.sql", Measurement{Predicted: last.Locks, Measured: ex.Measured})...)
	}
	for _, s := range res.Statements {
		for _, fd := range s.Findings {
			if fd.Rule == r {
				got = append(got, fd)
			}
		}
	}
	for _, fd := range res.Findings {
		if fd.Rule == r {
			got = append(got, fd)
		}
	}
	return got
}

func TestRuleExamples(t *testing.T) {
	for _, r := range Rules() {
		r := r
		t.Run(r.ID, func(t *testing.T) {
			if len(r.Examples) == 0 {
				t.Fatalf("rule %s has no examples", r.ID)
			}
			flagged := false
			for _, ex := range r.Examples {
				flagged = flagged || ex.Flagged
				if ex.IsHistory() {
					continue // TestHistoryRuleExamples runs it
				}
				got := runExample(t, r, ex)
				if ex.Flagged != (len(got) > 0) {
					var msgs []string
					for _, f := range got {
						msgs = append(msgs, f.Message)
					}
					t.Errorf("example (version %d):\n%s\nflagged = %v, want %v %s", ex.Version, ex.SQL, len(got) > 0, ex.Flagged, strings.Join(msgs, "; "))
				}
			}
			if !flagged {
				t.Errorf("rule %s has no flagged example", r.ID)
			}
		})
	}
}

func TestRuleData(t *testing.T) {
	for _, r := range Rules() {
		if r.ID == "" || r.Summary == "" || r.Why == "" || r.Fix == "" || r.Category == 0 {
			t.Errorf("rule %q lacks id, summary, why, fix or category", r.ID)
		}
		if r.Category == Compatibility && r.Phase == Expand && r.Severity > Info {
			t.Errorf("rule %s: advisory compatibility rules are info", r.ID)
		}
		if r.Category != Compatibility && r.Phase != Expand {
			t.Errorf("rule %s: only compatibility rules decide the phase", r.ID)
		}
	}
}

// clone replays the example base again: catalogs are mutable.
func clone(t testing.TB, _ *schema.Catalog) *schema.Catalog { return replay(t, exampleBase) }

func asError(err error, target **sqltext.Error) bool { return errors.As(err, target) }
