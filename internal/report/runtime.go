package report

import (
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
)

// Runtime is the runtime compatibility check's part of the report.
type Runtime struct {
	// Verdict is pass, fail, "baseline broken" or error (a new migration
	// failed to apply, or the check could not run: see Error).
	Verdict string `json:"verdict"`
	// Previous names the release whose tests ran (a tag, or a commit).
	Previous       string `json:"previous"`
	PreviousCommit string `json:"previous_commit"`
	// Server is the container image, or "url" for --database-url.
	Server string `json:"server"`
	// ServerVersion is that server's major version; 0 when unknown.
	ServerVersion int `json:"server_version,omitempty"`
	// Changes are what the new migrations removed, renamed or narrowed of
	// the previous schema, measured on the database.
	Changes        []compat.Change `json:"changes"`
	MigrationError string          `json:"migration_error,omitempty"`
	// Proof is what the recording of the compat scenario says: how many
	// statements the previous release's tests ran, which could not be
	// resolved, whether the proof is vacuous (each change's coverage is in
	// Changes).
	Proof *compat.Proof `json:"proof,omitempty"`
	// Error says why the runtime check could not run or did not finish
	// (Docker unreachable, an image that could not be pulled, a server
	// that refused the connection, the previous schema that did not build,
	// a cancelled run). The static results are reported all the same; the
	// scenarios that did not finish have status error.
	Error   string    `json:"error,omitempty"`
	Timings TimingsMS `json:"timings_ms"`
}

// RuntimeErrorHelp follows a runtime check that did not finish in the
// reports, after the error itself, whose message says what to do about its
// own cause (start Docker, --database-url...).
const RuntimeErrorHelp = "the static results stand; fix the cause and run again, or leave the runtime check out with --static-only (the action's static-only input)"

// TimingsMS is phasegate's own overhead, in milliseconds.
type TimingsMS struct {
	ServerReady    int64 `json:"server_ready"`
	PreviousSchema int64 `json:"previous_schema"`
	NewSchema      int64 `json:"new_schema"`
	Clones         int64 `json:"clones"`
	LockTrace      int64 `json:"lock_trace"`
}

// Scenario is one run of a test suite.
type Scenario struct {
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	DurationMS int64           `json:"duration_ms"`
	Command    string          `json:"command,omitempty"`
	Version    string          `json:"version,omitempty"`
	OutputTail string          `json:"output_tail,omitempty"`
	Implicated []compat.Change `json:"implicated,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	// Tests are the per-test results (tests.results): counts, and the
	// failing tests blamed on the migrations or not.
	Tests *compat.Tests `json:"tests,omitempty"`
}

// MeasuredLock is a lock measured on the database.
type MeasuredLock = compat.MeasuredLock

// AddRuntime adds the runtime check's results: the scenarios, the measured
// locks of each statement with the findings of the runtime rules
// (lock-disagreement) on them, and the verdict.
func (r *Report) AddRuntime(res *compat.Result, previousLabel string, opts checker.Options) {
	r.Runtime = &Runtime{
		Verdict: res.Verdict, Previous: previousLabel, PreviousCommit: res.Previous, Server: res.Server, ServerVersion: res.ServerVersion,
		Changes: res.Changes, MigrationError: res.MigrationError, Error: res.Error, Proof: res.Proof,
		Timings: TimingsMS{
			ServerReady: res.Timings.ServerReady.Milliseconds(), PreviousSchema: res.Timings.PreviousSchema.Milliseconds(),
			NewSchema: res.Timings.NewSchema.Milliseconds(), Clones: res.Timings.Clones.Milliseconds(), LockTrace: res.Timings.LockTrace.Milliseconds(),
		},
	}
	if r.Runtime.Changes == nil {
		r.Runtime.Changes = []compat.Change{}
	}
	for _, s := range res.Scenarios {
		r.Scenarios = append(r.Scenarios, Scenario{Name: s.Name, Status: s.Status, DurationMS: s.Duration.Milliseconds(),
			Command: s.Command, Version: s.Version, OutputTail: s.OutputTail, Implicated: s.Implicated, Reason: s.Reason, Tests: s.Tests})
	}
	traces := map[string]compat.Trace{}
	for _, t := range res.Traces {
		traces[fmt.Sprintf("%s:%d", t.Path, t.Line)] = t
	}
	for fi := range r.Files {
		f := &r.Files[fi]
		for si := range f.Statements {
			st := &f.Statements[si]
			t, ok := traces[fmt.Sprintf("%s:%d", f.Path, st.Line)]
			if !ok {
				continue
			}
			st.Locks = append([]MeasuredLock{}, t.Locks...)
			st.LocksNote = t.Note
			if t.Note != "" {
				continue // not measured
			}
			m := checker.Measurement{Measured: []checker.MeasuredLock{}}
			for _, l := range st.ExpectedLocks {
				m.Predicted = append(m.Predicted, checker.Lock{Relation: qname(l.Relation), Mode: checker.ParseLockMode(l.Mode), Rewrite: l.Rewrite, Scan: l.Scan})
			}
			for _, l := range t.Locks {
				m.Measured = append(m.Measured, checker.MeasuredLock{Relation: l.Relation, Mode: l.Mode, Rewrote: l.Rewrote})
			}
			st.Findings = append(st.Findings, findings(opts.Runtime(f.Path, m))...)
		}
	}
	r.Finish()
}

// coverageWords says how the previous release's tests used a changed
// object, when the compat scenario was recorded ("" otherwise).
func coverageWords(c compat.Change) string {
	cov := c.Coverage
	if cov == nil {
		return ""
	}
	maybe := ""
	if cov.Unresolved > 0 {
		maybe = fmt.Sprintf("; %s phasegate could not resolve mention it", plural(cov.Unresolved, "statement"))
	}
	if !cov.Proven() {
		return "unproven: no test of the previous release touched it" + maybe
	}
	var rw []string
	if cov.Reads > 0 {
		rw = append(rw, plural(cov.Reads, "read"))
	}
	if cov.Writes > 0 {
		rw = append(rw, plural(cov.Writes, "write"))
	}
	return fmt.Sprintf("proven: the previous release's tests used it in %s (%s)%s", plural(cov.Statements, "statement"), strings.Join(rw, ", "), maybe)
}

// unproven counts the changes no recorded statement used.
func unproven(changes []compat.Change) int {
	n := 0
	for _, c := range changes {
		if c.Coverage != nil && !c.Coverage.Proven() {
			n++
		}
	}
	return n
}

// proofWords sums up the recording of the compat scenario in a sentence.
func proofWords(p *compat.Proof) string {
	if p == nil {
		return ""
	}
	if p.Error != "" {
		return "the compat scenario's statements were " + p.Error
	}
	s := fmt.Sprintf("the previous release's tests ran %s in the compat scenario", plural(p.Recorded, "statement"))
	if p.Unresolved > 0 {
		s += fmt.Sprintf("; phasegate could not resolve every name of %d of them", p.Unresolved)
	}
	return s
}

// runtimeVerdict is the runtime check's verdict as the text and Markdown reports show it: a
// pass in which no scenario ran a test suite (tests.command unset, or
// every scenario off) proves only that the migrations applied, and says so.
func (r *Report) runtimeVerdict() string {
	rt := r.Runtime
	if rt.Verdict != compat.StatusPass || len(r.Scenarios) == 0 {
		return rt.Verdict
	}
	noCommand := false
	for _, sc := range r.Scenarios {
		if sc.Status != compat.StatusSkipped {
			return rt.Verdict
		}
		noCommand = noCommand || sc.Reason == compat.ReasonNoTestCommand
	}
	if !noCommand {
		return rt.Verdict + " (the migrations applied, but no scenario ran its test suite: nothing shows either release works on them)"
	}
	return rt.Verdict + " (the migrations applied, but no test suite ran: nothing shows either release works on them; set tests.command)"
}

// versionMismatch says that the runtime check ran on another major version
// than the one the static check judged for ("" when they agree or one is
// unknown): each is right only for production's.
func (r *Report) versionMismatch() string {
	rt := r.Runtime
	if rt == nil || rt.ServerVersion == 0 || r.PostgresVersion == 0 || rt.ServerVersion == r.PostgresVersion {
		return ""
	}
	return fmt.Sprintf("the runtime check ran on PostgreSQL %d, and the static check judged for %d (postgres.version): give both production's version (postgres.version, and an image of that version)", rt.ServerVersion, r.PostgresVersion)
}
