// Package report holds phasegate's one versioned result type and renders
// it: JSON (the stable, documented schema), compiler-style text, and later
// SARIF, the PR comment and the job summary. Every output is a view of the
// same Report.
package report

import (
	"sort"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/schema"
)

// Version is the JSON schema version. It changes only when a field changes
// meaning or disappears; new fields may be added within a version.
const Version = 1

// Report is the result of one phasegate run.
type Report struct {
	Version int    `json:"version"`
	Tool    string `json:"tool"`
	// Result is "pass" or "fail"; it matches the exit status (0 or not).
	Result string `json:"result"`
	// Base is the merge-base commit the change is compared with; Head the
	// commit under review ("" for the work tree).
	Base       string      `json:"base,omitempty"`
	Head       string      `json:"head,omitempty"`
	Migrations *Migrations `json:"migrations,omitempty"`
	// PostgresVersion is the major version verdicts were made for.
	PostgresVersion int     `json:"postgres_version"`
	Summary         Summary `json:"summary"`
	Files           []File  `json:"files"`
	Errors          []Error `json:"errors"`
	Notes           []Note  `json:"notes,omitempty"`
	// Scenarios and Runtime are the runtime check's results; absent with
	// --static-only.
	Scenarios []Scenario `json:"scenarios,omitempty"`
	Runtime   *Runtime   `json:"runtime,omitempty"`
	// Shard is set when the check ran one slice of the test suite
	// (check --shard I/N); phasegate merge combines the shards' reports.
	Shard *Shard `json:"shard,omitempty"`
	// Context is where the run happened, when it ran in GitHub Actions: it
	// lets "phasegate comment" post a report made by another workflow.
	Context *Context `json:"context,omitempty"`
}

// Context is the GitHub repository and pull request a report is about.
type Context struct {
	Repository  string `json:"repository"`
	ServerURL   string `json:"server_url"`
	PullRequest int    `json:"pull_request,omitempty"`
	// HeadSHA is the pull request's head commit, for links to files.
	HeadSHA string `json:"head_sha,omitempty"`
}

// Migrations says where the migrations were found.
type Migrations struct {
	Dir    string `json:"dir"`
	Format string `json:"format"`
}

// Summary counts statements by phase and findings by severity.
type Summary struct {
	Files      int `json:"files"`
	Statements int `json:"statements"`
	Expand     int `json:"expand"`
	Contract   int `json:"contract"`
	Unknown    int `json:"unknown"`
	// Deferred counts the statements of deferred contract migrations, which
	// wait for the next release already (Expand, Contract and Unknown
	// count those of active migrations only).
	Deferred int `json:"deferred"`
	// Errors counts the findings at error severity and the files that
	// could not be read or parsed (Report.Errors): what the text summary's
	// "N errors" says.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// File is one checked migration file.
type File struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	// Status is "added", "modified" or "removed" relative to the base.
	Status string `json:"status,omitempty"`
	// Deferred marks a deferred contract migration (it runs after the next
	// release).
	Deferred bool `json:"deferred,omitempty"`
	// Transaction says how the migration tool runs the file.
	Transaction string      `json:"transaction,omitempty"`
	Statements  []Statement `json:"statements"`
	// Findings not tied to one statement.
	Findings []Finding `json:"findings"`
}

// Statement is one statement's verdict. Lines and columns are 1-based;
// columns count characters.
type Statement struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	SQL       string `json:"sql"`
	// Phase is "expand", "contract" or "unknown".
	Phase string `json:"phase"`
	// PhaseDirective is the reason of a phasegate:phase directive that set
	// the phase.
	PhaseDirective string    `json:"phase_directive,omitempty"`
	Findings       []Finding `json:"findings"`
	// ExpectedLocks are the locks phasegate predicts the statement takes on
	// relations that existed before the change.
	ExpectedLocks []Lock `json:"expected_locks,omitempty"`
	// Locks are the locks the runtime check measured; LocksNote says why
	// they were not measured when they were not.
	Locks     []MeasuredLock `json:"locks,omitempty"`
	LocksNote string         `json:"locks_note,omitempty"`
}

// Finding is one problem.
type Finding struct {
	Rule string `json:"rule"`
	// Category is "compatibility" (why a statement is contract or unknown),
	// "locking" (lock and rewrite hazards) or "other".
	Category string `json:"category"`
	// Severity is "error", "warning" or "info".
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
	// Line and Column point at the finding when it is not at the start of
	// its statement (or for file findings).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Edit is the fix as a rewrite of lines of the file, when it is one
	// that is right applied as it is (the pull request suggestions).
	Edit *Edit `json:"edit,omitempty"`
}

// Edit replaces lines Line to EndLine of the file (1-based, whole lines)
// by New; Old is what those lines held when the file was checked.
type Edit struct {
	Line    int    `json:"line"`
	EndLine int    `json:"end_line"`
	Old     string `json:"old"`
	New     string `json:"new"`
}

// Lock is a table lock.
type Lock struct {
	Relation string `json:"relation"`
	Mode     string `json:"mode"`
	Rewrite  bool   `json:"rewrite,omitempty"`
	Scan     bool   `json:"scan,omitempty"`
}

// Error is a file phasegate could not read or parse.
type Error struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// Note is a remark on the run: history that could not be replayed.
type Note struct {
	Where   string `json:"where"`
	Message string `json:"message"`
}

// Options describe the run.
type Options struct {
	PostgresVersion int
}

// FromChange builds the report of a static check.
func FromChange(res *lint.Result, opts Options) *Report {
	r := &Report{
		Version: Version, Tool: "phasegate",
		Base: res.BaseCommit, Head: res.HeadCommit,
		Migrations:      &Migrations{Dir: res.Dir, Format: res.Format},
		PostgresVersion: opts.PostgresVersion,
		Files:           []File{},
		Errors:          []Error{},
	}
	for _, f := range res.Files {
		rf := FromFile(f)
		switch res.Changed[f.Migration.Path] {
		case git.Added:
			rf.Status = "added"
		case git.Modified:
			rf.Status = "modified"
		case git.Deleted:
			rf.Status, rf.Transaction = "removed", ""
		}
		r.Files = append(r.Files, rf)
	}
	for _, e := range res.Errors {
		r.Errors = append(r.Errors, Error{Path: e.Path, Line: e.Pos.Line, Column: e.Pos.Column, Message: e.Msg})
	}
	for _, g := range res.Gaps {
		r.Notes = append(r.Notes, Note{Where: g.Where, Message: g.Reason})
	}
	r.Finish()
	return r
}

// FromFile converts one file's verdict.
func FromFile(f checker.FileResult) File {
	rf := File{Path: f.Migration.Path, Format: f.Migration.Format, Transaction: f.Tx.String(), Deferred: f.Deferred, Statements: []Statement{}, Findings: findings(f.Findings)}
	for _, s := range f.Statements {
		st := Statement{
			Line: s.Pos.Line, Column: s.Pos.Column, EndLine: s.EndPos.Line, EndColumn: s.EndPos.Column,
			SQL: s.SQL, Phase: s.Phase.String(), PhaseDirective: s.PhaseDirective, Findings: findings(s.Findings),
		}
		for _, l := range s.Locks {
			st.ExpectedLocks = append(st.ExpectedLocks, Lock{Relation: l.Relation.String(), Mode: l.Mode.String(), Rewrite: l.Rewrite, Scan: l.Scan})
		}
		rf.Statements = append(rf.Statements, st)
	}
	return rf
}

func findings(fs []checker.Finding) []Finding {
	out := []Finding{}
	for _, f := range fs {
		rf := Finding{Rule: f.Rule.ID, Category: f.Rule.Category.String(), Severity: f.Severity.String(), Message: f.Message, Fix: f.Fix}
		if f.Pos != nil {
			rf.Line, rf.Column = f.Pos.Line, f.Pos.Column
		}
		if e := f.Edit; e != nil {
			rf.Edit = &Edit{Line: e.Line, EndLine: e.EndLine, Old: e.Old, New: e.New}
		}
		out = append(out, rf)
	}
	sort.SliceStable(out, func(i, j int) bool { return severityRank(out[i].Severity) > severityRank(out[j].Severity) })
	return out
}

func severityRank(s string) int {
	switch s {
	case "error":
		return 3
	case "warning":
		return 2
	case "info":
		return 1
	}
	return 0
}

// Finish recomputes the summary and the result from the files and errors.
func (r *Report) Finish() {
	s := Summary{Files: len(r.Files), Errors: len(r.Errors)}
	// A file that could not be parsed is a file checked too: "0 files ...
	// 1 error" read as if nothing had been looked at.
	judged := map[string]bool{}
	for _, f := range r.Files {
		judged[f.Path] = true
	}
	for _, e := range r.Errors {
		if e.Path != "" && !judged[e.Path] {
			judged[e.Path] = true
			s.Files++
		}
	}
	count := func(f Finding) {
		switch f.Severity {
		case "error":
			s.Errors++
		case "warning":
			s.Warnings++
		case "info":
			s.Infos++
		}
	}
	for _, f := range r.Files {
		for _, fd := range f.Findings {
			count(fd)
		}
		for _, st := range f.Statements {
			s.Statements++
			phase := st.Phase
			if f.Deferred {
				phase = "deferred"
			}
			switch phase {
			case "deferred":
				s.Deferred++
			case "expand":
				s.Expand++
			case "contract":
				s.Contract++
			case "unknown":
				s.Unknown++
			}
			for _, fd := range st.Findings {
				count(fd)
			}
		}
	}
	r.Summary = s
	r.Result = "pass"
	if r.ExitCode() != 0 {
		r.Result = "fail"
	}
}

// ExitCode is 2 when a file could not be read or parsed or the runtime
// check could not run (phasegate could not judge everything), 1 when a
// finding is at error severity or the runtime check did not pass, 0
// otherwise.
func (r *Report) ExitCode() int {
	if len(r.Errors) > 0 || r.Runtime != nil && r.Runtime.Error != "" {
		return 2
	}
	if r.Summary.Errors > 0 || r.Runtime != nil && r.Runtime.Verdict != "pass" {
		return 1
	}
	return 0
}

// qname reads a relation name as Lock.Relation renders it.
func qname(s string) schema.QName {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return schema.QName{Schema: s[:i], Name: s[i+1:]}
	}
	return schema.QName{Schema: "public", Name: s}
}
