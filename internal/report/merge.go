package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/compat"
)

// Shard says which slice of the test suite a report's scenarios ran: the
// Index-th (from 1) of Total.
type Shard struct {
	Index int `json:"index"`
	Total int `json:"total"`
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Total) }

// ParseShard reads "I/N" (1 <= I <= N).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.Index, &sh.Total); err != nil || fmt.Sprintf("%d/%d", sh.Index, sh.Total) != s ||
		sh.Total < 1 || sh.Index < 1 || sh.Index > sh.Total {
		return Shard{}, fmt.Errorf("shard %q: give I/N with 1 <= I <= N, e.g. 2/4", s)
	}
	return sh, nil
}

// Merge combines the reports of the shards of one check (phasegate check
// --shard I/N on each runner) into the report of the whole check: the
// static part once (the shards must agree on it: they checked the same
// change), each scenario once, failed if any shard's failed, its duration
// the sum of the shards', the output of the shards that did not pass kept
// under their shard's name. A shard that is missing, or whose runtime check
// could not run, is named, and makes the runtime verdict an error: a
// missing slice of the test suite proves nothing.
func Merge(reps []*Report) (*Report, error) {
	if len(reps) == 0 {
		return nil, fmt.Errorf("no report to merge")
	}
	first := reps[0]
	static, err := staticPart(first)
	if err != nil {
		return nil, err
	}
	var total int
	seen := map[int]bool{}
	for i, r := range reps {
		if r.Shard == nil {
			return nil, fmt.Errorf("report %d was not written by a sharded check (phasegate check --shard I/N)", i+1)
		}
		if total == 0 {
			total = r.Shard.Total
		}
		if r.Shard.Total != total {
			return nil, fmt.Errorf("report %d is shard %s, the first is one of %d: they are not shards of one check", i+1, r.Shard, total)
		}
		if seen[r.Shard.Index] {
			return nil, fmt.Errorf("shard %s is given twice", r.Shard)
		}
		seen[r.Shard.Index] = true
		s, err := staticPart(r)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(s, static) {
			return nil, fmt.Errorf("shard %s's static check differs from shard %s's: the shards checked different commits or configurations", r.Shard, first.Shard)
		}
	}
	var b bytes.Buffer
	if err := JSON(&b, first); err != nil {
		return nil, err
	}
	var out Report
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		return nil, err
	}
	out.Shard = nil
	out.Scenarios = nil
	var missing []string
	for i := 1; i <= total; i++ {
		if !seen[i] {
			missing = append(missing, fmt.Sprintf("%d/%d", i, total))
		}
	}
	sort.Slice(reps, func(i, j int) bool { return reps[i].Shard.Index < reps[j].Shard.Index })
	if first.Runtime != nil {
		out.Scenarios = mergeScenarios(reps)
		rt := *first.Runtime
		var broken []string
		for _, r := range reps {
			if r.Runtime == nil {
				broken = append(broken, fmt.Sprintf("shard %s ran no runtime check", r.Shard))
			} else if r.Runtime.Verdict == compat.StatusError {
				broken = append(broken, fmt.Sprintf("shard %s's runtime check could not run: %s", r.Shard, r.Runtime.MigrationError))
			}
		}
		if len(missing) > 0 {
			broken = append(broken, fmt.Sprintf("no report from shard %s: its slice of the tests did not run, or its report was not given to merge", strings.Join(missing, ", ")))
		}
		rt.Changes, rt.Proof = mergeProofs(reps)
		rt.Verdict = mergedVerdict(out.Scenarios)
		for _, r := range reps {
			// Each shard judged its slice against its own baseline: one
			// whose baseline was broken proves nothing for its slice, even
			// when the summed counts look healthy.
			if r.Runtime != nil && r.Runtime.Verdict == "baseline broken" {
				rt.Verdict = r.Runtime.Verdict
			}
		}
		if len(broken) > 0 {
			rt.Verdict = compat.StatusError
			rt.MigrationError = strings.Join(broken, "; ")
		}
		out.Runtime = &rt
	} else if len(missing) > 0 {
		return nil, fmt.Errorf("no report from shard %s", strings.Join(missing, ", "))
	}
	out.Finish()
	return &out, nil
}

// staticPart is what every shard's report must agree on.
func staticPart(r *Report) ([]byte, error) {
	return json.Marshal(struct {
		Base, Head string
		Files      []File
		Errors     []Error
	}{r.Base, r.Head, r.Files, r.Errors})
}

// mergeScenarios combines each scenario across the shards.
func mergeScenarios(reps []*Report) []Scenario {
	var order []string
	by := map[string]*Scenario{}
	var tails = map[string][]string{}
	var reasons = map[string][]string{}
	for _, r := range reps {
		for _, sc := range r.Scenarios {
			m := by[sc.Name]
			if m == nil {
				c := sc
				c.OutputTail, c.Reason, c.Implicated, c.DurationMS, c.Tests = "", "", nil, 0, nil
				c.Status = compat.StatusSkipped
				m = &c
				by[sc.Name] = m
				order = append(order, sc.Name)
			}
			m.DurationMS += sc.DurationMS
			m.Status = worse(m.Status, sc.Status)
			m.Tests = mergeTests(m.Tests, sc.Tests)
			if sc.Status == compat.StatusFail || sc.Status == compat.StatusError {
				if sc.OutputTail != "" {
					tails[sc.Name] = append(tails[sc.Name], fmt.Sprintf("[shard %s]\n%s", r.Shard, strings.TrimRight(sc.OutputTail, "\n")))
				}
				if sc.Reason != "" {
					reasons[sc.Name] = append(reasons[sc.Name], fmt.Sprintf("shard %s: %s", r.Shard, sc.Reason))
				}
				m.Implicated = unionChanges(m.Implicated, sc.Implicated)
			} else if sc.Status == compat.StatusSkipped && sc.Reason != "" && len(reasons[sc.Name]) == 0 {
				m.Reason = sc.Reason
			}
		}
	}
	out := make([]Scenario, 0, len(order))
	for _, name := range order {
		m := by[name]
		if r := reasons[name]; len(r) > 0 {
			m.Reason = strings.Join(r, "; ")
		}
		m.OutputTail = strings.Join(tails[name], "\n")
		out = append(out, *m)
	}
	return out
}

// worse returns the status that decides: fail over error over pass over
// skipped (a scenario that ran on one shard ran).
func worse(a, b string) string {
	rank := map[string]int{compat.StatusSkipped: 0, compat.StatusPass: 1, compat.StatusError: 2, compat.StatusFail: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func unionChanges(a, b []compat.Change) []compat.Change {
	for _, c := range b {
		dup := false
		for _, x := range a {
			dup = dup || x.Object == c.Object && x.Change == c.Change
		}
		if !dup {
			a = append(a, c)
		}
	}
	return a
}

// mergedVerdict sums up merged scenarios as compat does for one run.
func mergedVerdict(scs []Scenario) string {
	v := compat.StatusPass
	for _, sc := range scs {
		bad := sc.Status == compat.StatusFail || sc.Status == compat.StatusError
		switch {
		case sc.Name == compat.ScenarioBaseline && compat.BaselineBroken(sc.Status, sc.Tests):
			return "baseline broken"
		case sc.Name == compat.ScenarioBaseline:
		case bad:
			v = compat.StatusFail
		}
	}
	return v
}

// mergeProofs adds up what each shard's slice of the compat scenario's
// tests recorded: an object is proven when any shard's tests used it, and
// the proof is vacuous when any shard's was.
func mergeProofs(reps []*Report) ([]compat.Change, *compat.Proof) {
	var changes []compat.Change
	var proof *compat.Proof
	for _, r := range reps {
		if r.Runtime == nil {
			continue
		}
		if changes == nil {
			changes = append([]compat.Change(nil), r.Runtime.Changes...)
			for i, c := range changes {
				if c.Coverage != nil {
					cov := *c.Coverage
					changes[i].Coverage = &cov
				}
			}
		} else {
			for i := range changes {
				for _, c := range r.Runtime.Changes {
					if c.Object == changes[i].Object && c.Change == changes[i].Change && c.Coverage != nil {
						changes[i].Coverage = addCoverage(changes[i].Coverage, c.Coverage)
					}
				}
			}
		}
		if p := r.Runtime.Proof; p != nil {
			if proof == nil {
				proof = &compat.Proof{}
			}
			proof.Recorded += p.Recorded
			proof.Unresolved += p.Unresolved
			if len(proof.UnresolvedExamples) == 0 {
				proof.UnresolvedExamples = p.UnresolvedExamples
			}
			if proof.Vacuous == "" && p.Vacuous != "" {
				proof.Vacuous, proof.DDL = fmt.Sprintf("shard %s: %s", r.Shard, p.Vacuous), p.DDL
			}
			if p.Error != "" {
				proof.Error = strings.TrimPrefix(proof.Error+"; ", "; ") + fmt.Sprintf("shard %s: %s", r.Shard, p.Error)
			}
			proof.Problems = append(proof.Problems, p.Problems...)
		}
	}
	return changes, proof
}

// addCoverage is a's counts plus b's (Distinct: the larger, as the texts
// of two shards may repeat).
func addCoverage(a, b *compat.Coverage) *compat.Coverage {
	if a == nil {
		c := *b
		return &c
	}
	a.Statements += b.Statements
	a.Distinct = max(a.Distinct, b.Distinct)
	a.Reads += b.Reads
	a.Writes += b.Writes
	a.Unresolved += b.Unresolved
	if a.Example == "" {
		a.Example = b.Example
	}
	return a
}
