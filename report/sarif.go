package report

import (
	"io"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/phasegate/phasegate/checker"
)

// DocsURL is where the rule reference lives; SARIF rules link into it.
const DocsURL = "https://github.com/phasegate/phasegate/blob/main/docs/rules.md"

// SARIF writes the report as SARIF 2.1.0, for GitHub code scanning
// (github/codeql-action/upload-sarif): one result per finding, at its
// statement (or the finding's own position), and every rule in the tool's
// rule list with its why, fix and link. A runtime check that did not
// finish is an invocation that was not successful, with the error as a
// tool execution notification.
func SARIF(w io.Writer, r *Report) error {
	run := sarif.NewRunWithInformationURI("phasegate", "https://github.com/phasegate/phasegate")
	for _, rule := range checker.Rules() {
		run.AddRule(rule.ID).
			WithName(rule.ID).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(rule.Summary)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(rule.Why)).
			WithHelp(sarif.NewMultiformatMessageString().WithText(rule.Fix).WithMarkdown("**Safe alternative.** " + rule.Fix)).
			WithHelpURI(DocsURL + "#" + rule.ID).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(rule.Severity.String())))
	}
	if len(r.Errors) > 0 {
		run.AddRule("parse-error").WithName("parse-error").
			WithShortDescription(sarif.NewMultiformatMessageString().WithText("a migration file that could not be read or parsed")).
			WithHelpURI(DocsURL)
	}
	add := func(path string, line, col, endLine, endCol int, f Finding) {
		region := sarif.NewRegion().WithStartLine(max(line, 1)).WithStartColumn(max(col, 1))
		if endLine >= line && endLine > 0 {
			region.WithEndLine(endLine)
			if endCol > 0 {
				region.WithEndColumn(endCol + 1) // SARIF's end column is exclusive
			}
		}
		msg := f.Message
		if f.Fix != "" {
			msg += "\nFix: " + f.Fix
		}
		run.AddDistinctArtifact(path)
		run.CreateResultForRule(f.Rule).
			WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(msg)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(path)).
				WithRegion(region)))
	}
	for _, f := range r.Files {
		for _, fd := range f.Findings {
			add(f.Path, fd.Line, fd.Column, 0, 0, fd)
		}
		for _, st := range f.Statements {
			for _, fd := range st.Findings {
				if fd.Line > 0 {
					add(f.Path, fd.Line, fd.Column, 0, 0, fd)
				} else {
					add(f.Path, st.Line, st.Column, st.EndLine, st.EndColumn, fd)
				}
			}
		}
	}
	for _, e := range r.Errors {
		add(e.Path, e.Line, e.Column, 0, 0, Finding{Rule: "parse-error", Severity: "error", Message: e.Message})
	}
	if rt := r.Runtime; rt != nil && rt.Error != "" {
		// The findings above are complete; the runtime check is not: say so
		// as SARIF says a tool's run went wrong.
		run.AddInvocation(sarif.NewInvocation().
			WithExecutionSuccessful(false).
			AddToolExecutionNotification(sarif.NewNotification().
				WithLevel("error").
				WithMessage(sarif.NewTextMessage("the runtime check did not finish: " + rt.Error + "\n" + RuntimeErrorHelp))))
	}
	rep := sarif.NewReport()
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}

// sarifLevel maps a severity to SARIF's levels.
func sarifLevel(severity string) string {
	switch severity {
	case "error":
		return "error"
	case "warning":
		return "warning"
	case "off":
		return "none"
	}
	return "note"
}
