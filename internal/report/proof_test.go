package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
)

// proven is a compat scenario that passed, recorded: one change the
// previous release's tests used, one they never touched.
func proven() *compat.Result {
	res := runtimeResult("pass", "pass", "", nil, []compat.Change{
		{Object: "users.legacy_flags", Kind: "column", Change: "removed", Where: "db/migrations/0003_display_name.up.sql:4",
			Coverage: &compat.Coverage{Statements: 14, Distinct: 2, Reads: 12, Writes: 2, Example: "SELECT email, legacy_flags FROM users WHERE id = $1"}},
		{Object: "users.name", Kind: "column", Change: "narrowed", Detail: "now NOT NULL", Where: "db/migrations/0003_display_name.up.sql:5",
			Coverage: &compat.Coverage{Unresolved: 3}},
	}, nil)
	res.Proof = &compat.Proof{Recorded: 57, Unresolved: 3, UnresolvedExamples: []compat.Unresolved{
		{SQL: "SELECT name FROM users, users_archive", Why: "column name may come from users_archive", Count: 3},
	}}
	return res
}

// Each changed object says whether the previous release's tests used it,
// in the comment, the text and the JSON report (runtime.changes[].coverage).
func TestProofCoverageInEveryOutput(t *testing.T) {
	r := static(t, "0003_nick.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\n")
	r.AddRuntime(proven(), "v1.0.0", checker.Options{})
	var md bytes.Buffer
	Markdown(&md, r, mdOpts)
	golden(t, "proof.md", md.String())

	var text bytes.Buffer
	Text(&text, r, TextOptions{})
	for _, want := range []string{
		"    column users.legacy_flags: removed in db/migrations/0003_display_name.up.sql:4\n      proven: the previous release's tests used it in 14 statements (12 reads, 2 writes)\n",
		"      unproven: no test of the previous release touched it; 3 statements phasegate could not resolve mention it\n",
		"  proof: the previous release's tests ran 57 statements in the compat scenario; phasegate could not resolve every name of 3 of them\n",
		"    unresolved: 3× SELECT name FROM users, users_archive (column name may come from users_archive)\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text lacks %q:\n%s", want, text.String())
		}
	}

	var js bytes.Buffer
	if err := JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runtime struct {
			Changes []struct {
				Object   string
				Coverage *struct{ Statements, Reads, Writes, Unresolved int }
			}
			Proof struct{ Recorded, Unresolved int }
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Runtime.Changes
	if len(c) != 2 || c[0].Coverage == nil || c[0].Coverage.Statements != 14 || c[0].Coverage.Reads != 12 || c[1].Coverage == nil || c[1].Coverage.Statements != 0 || c[1].Coverage.Unresolved != 3 ||
		doc.Runtime.Proof.Recorded != 57 {
		t.Errorf("JSON runtime: %s", js.String())
	}
}

// A vacuous proof (the tests built their own tables) fails the check and
// says how to fix the configuration.
func TestVacuousProof(t *testing.T) {
	r := static(t, "0003_nick.up.sql", "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\n")
	res := runtimeResult("fail", "fail", "", nil, nil, nil)
	res.Proof = &compat.Proof{Recorded: 120, DDL: []string{"CREATE DATABASE test_shop", "CREATE TABLE accounts_user"},
		Vacuous: "the previous release's tests ran CREATE DATABASE test_shop, CREATE TABLE accounts_user: they built or changed the tables they used instead of testing the migrated schema, so passing proves nothing about the migrations"}
	res.Scenarios[1].Reason = "the proof is vacuous: " + res.Proof.Vacuous
	r.AddRuntime(res, "v1.0.0", checker.Options{})
	if r.ExitCode() != 1 {
		t.Errorf("exit %d", r.ExitCode())
	}
	var md bytes.Buffer
	Markdown(&md, r, mdOpts)
	golden(t, "vacuous.md", md.String())
	var text bytes.Buffer
	Text(&text, r, TextOptions{})
	if !strings.Contains(text.String(), "vacuous proof: the previous release's tests ran CREATE DATABASE test_shop") || !strings.Contains(text.String(), "--keepdb") {
		t.Errorf("text:\n%s", text.String())
	}
}
