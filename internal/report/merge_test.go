package report

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
)

// shardReports makes the reports of a check sharded n ways: compat fails
// on the shards in failing.
func shardReports(t *testing.T, n int, failing ...int) []*Report {
	t.Helper()
	var out []*Report
	for i := 1; i <= n; i++ {
		r := static(t, "0003_display_name.up.sql", exampleMigration)
		status, tail := "pass", ""
		var implicated []compat.Change
		for _, f := range failing {
			if f == i {
				status, tail = "fail", "--- FAIL: TestUsers\nERROR: column \"legacy_flags\" does not exist"
				implicated = []compat.Change{{Object: "users.legacy_flags", Kind: "column", Change: "removed"}}
			}
		}
		verdict := "pass"
		if status == "fail" {
			verdict = "fail"
		}
		r.AddRuntime(runtimeResult(verdict, status, tail, implicated, nil, nil), "v1.0.0", checker.Options{})
		r.Shard = &Shard{Index: i, Total: n}
		out = append(out, r)
	}
	return out
}

func TestMergeShards(t *testing.T) {
	m, err := Merge(shardReports(t, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	var compatSc Scenario
	for _, sc := range m.Scenarios {
		if sc.Name == compat.ScenarioCompat {
			compatSc = sc
		}
	}
	if compatSc.Status != "fail" || compatSc.DurationMS != 3*1500 || !strings.Contains(compatSc.OutputTail, "[shard 2/3]") ||
		strings.Contains(compatSc.OutputTail, "[shard 1/3]") || len(compatSc.Implicated) != 1 || !strings.HasPrefix(compatSc.Reason, "shard 2/3: ") {
		t.Errorf("compat = %+v", compatSc)
	}
	if m.Runtime.Verdict != "fail" || m.Result != "fail" || m.Shard != nil {
		t.Errorf("verdict %s, result %s, shard %v", m.Runtime.Verdict, m.Result, m.Shard)
	}
	if m.Summary.Statements != 4 {
		t.Errorf("the static part is counted once: %+v", m.Summary)
	}
}

func TestMergeNamesAMissingShard(t *testing.T) {
	reps := shardReports(t, 4)
	m, err := Merge([]*Report{reps[0], reps[1], reps[3]})
	if err != nil {
		t.Fatal(err)
	}
	if m.Runtime.Verdict != compat.StatusError || !strings.Contains(m.Runtime.MigrationError, "no report from shard 3/4") || m.ExitCode() == 0 {
		t.Errorf("verdict %s: %s (exit %d)", m.Runtime.Verdict, m.Runtime.MigrationError, m.ExitCode())
	}
}

func TestMergeRefusesReportsOfDifferentChecks(t *testing.T) {
	reps := shardReports(t, 2)
	other := static(t, "0003_display_name.up.sql", "ALTER TABLE users ADD COLUMN nick text;")
	other.Shard = &Shard{Index: 2, Total: 2}
	for _, c := range []struct {
		reps []*Report
		want string
	}{
		{[]*Report{reps[0], other}, "static check differs"},
		{[]*Report{reps[0], reps[0]}, "given twice"},
		{[]*Report{reps[0], static(t, "0003_display_name.up.sql", exampleMigration)}, "not written by a sharded check"},
		{nil, "no report"},
	} {
		if _, err := Merge(c.reps); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Merge: %v, want %q", err, c.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	for in, ok := range map[string]bool{"1/1": true, "2/4": true, "0/4": false, "5/4": false, "2/": false, "x": false, "2/4/1": false, "02/4": false} {
		if _, err := ParseShard(in); (err == nil) != ok {
			t.Errorf("ParseShard(%q): %v", in, err)
		}
	}
}

// Each shard recorded its slice of the previous release's tests: an object
// one shard's tests used is proven in the merged report, whichever shard
// it was, and the counts add up.
func TestMergeAddsUpTheProof(t *testing.T) {
	reps := shardReports(t, 2)
	for i, r := range reps {
		cov := &compat.Coverage{}
		if i == 1 {
			cov = &compat.Coverage{Statements: 3, Distinct: 2, Reads: 2, Writes: 1, Example: "SELECT legacy_flags FROM users"}
		}
		r.Runtime.Changes = []compat.Change{{Object: "users.legacy_flags", Kind: "column", Change: "removed", Coverage: cov}}
		r.Runtime.Proof = &compat.Proof{Recorded: 10 * (i + 1)}
	}
	m, err := Merge(reps)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Runtime.Changes) != 1 || !m.Runtime.Changes[0].Coverage.Proven() || m.Runtime.Changes[0].Coverage.Statements != 3 {
		t.Errorf("changes = %+v", m.Runtime.Changes)
	}
	if m.Runtime.Proof == nil || m.Runtime.Proof.Recorded != 30 {
		t.Errorf("proof = %+v", m.Runtime.Proof)
	}
	if reps[0].Runtime.Changes[0].Coverage.Statements != 0 {
		t.Error("merging changed a shard's report")
	}
}

// A shard whose baseline was broken makes the merged check "baseline
// broken", whatever the other shards' baselines did.
func TestMergeKeepsAShardsBrokenBaseline(t *testing.T) {
	reps := shardReports(t, 2)
	reps[1].Runtime.Verdict = "baseline broken"
	for i := range reps[1].Scenarios {
		if reps[1].Scenarios[i].Name == compat.ScenarioBaseline {
			reps[1].Scenarios[i].Status = "fail"
			reps[1].Scenarios[i].Tests = &compat.Tests{Failed: 3}
		}
	}
	for i := range reps[0].Scenarios {
		if reps[0].Scenarios[i].Name == compat.ScenarioBaseline {
			reps[0].Scenarios[i].Tests = &compat.Tests{Passed: 5}
		}
	}
	m, err := Merge(reps)
	if err != nil {
		t.Fatal(err)
	}
	if m.Runtime.Verdict != "baseline broken" {
		t.Errorf("verdict %s", m.Runtime.Verdict)
	}
}
