package report

import (
	"encoding/json"
	"io"

	"github.com/phasegate/phasegate/internal/checker"
)

// DocsURL is where the rule reference lives; SARIF rules link into it.
const DocsURL = "https://github.com/phasegate/phasegate/blob/main/docs/rules.md"

// The subset of SARIF 2.1.0 phasegate writes
// (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html): a
// tool with its rules, the artifacts, one result per finding and, when the
// runtime check did not finish, an invocation that says so. Its own types
// keep the output to what GitHub code scanning reads, and keep a SARIF
// library (and its JSON Schema validator) out of the binary; the tests
// validate the output against the schema.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Artifacts   []sarifArtifact   `json:"artifacts,omitempty"`
		Results     []sarifResult     `json:"results"`
		Invocations []sarifInvocation `json:"invocations,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     *sarifText     `json:"shortDescription,omitempty"`
		FullDescription      *sarifText     `json:"fullDescription,omitempty"`
		Help                 *sarifText     `json:"help,omitempty"`
		HelpURI              string         `json:"helpUri,omitempty"`
		DefaultConfiguration *sarifSeverity `json:"defaultConfiguration,omitempty"`
	}
	sarifText struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifSeverity struct {
		Level string `json:"level"`
	}
	sarifArtifact struct {
		Location sarifArtifactLocation `json:"location"`
	}
	sarifArtifactLocation struct {
		URI string `json:"uri"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex *int            `json:"ruleIndex,omitempty"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level   string    `json:"level"`
		Message sarifText `json:"message"`
	}
)

// SARIF writes the report as SARIF 2.1.0, for GitHub code scanning
// (github/codeql-action/upload-sarif): one result per finding, at its
// statement (or the finding's own position), and every rule in the tool's
// rule list with its why, fix and link. A runtime check that did not
// finish is an invocation that was not successful, with the error as a
// tool execution notification.
func SARIF(w io.Writer, r *Report) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "phasegate", InformationURI: "https://github.com/phasegate/phasegate"}}, Results: []sarifResult{}}
	ruleIndex := map[string]int{}
	addRule := func(rule sarifRule) {
		ruleIndex[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
	}
	for _, rule := range checker.Rules() {
		addRule(sarifRule{
			ID: rule.ID, Name: rule.ID,
			ShortDescription:     &sarifText{Text: rule.Summary},
			FullDescription:      &sarifText{Text: rule.Why},
			Help:                 &sarifText{Text: rule.Fix, Markdown: "**Safe alternative.** " + rule.Fix},
			HelpURI:              DocsURL + "#" + rule.ID,
			DefaultConfiguration: &sarifSeverity{Level: sarifLevel(rule.Severity.String())},
		})
	}
	if len(r.Errors) > 0 {
		addRule(sarifRule{ID: "parse-error", Name: "parse-error",
			ShortDescription: &sarifText{Text: "a migration file that could not be read or parsed"}, HelpURI: DocsURL})
	}
	artifacts := map[string]bool{}
	add := func(path string, line, col, endLine, endCol int, f Finding) {
		region := sarifRegion{StartLine: max(line, 1), StartColumn: max(col, 1)}
		if endLine >= line && endLine > 0 {
			region.EndLine = endLine
			if endCol > 0 {
				region.EndColumn = endCol + 1 // SARIF's end column is exclusive
			}
		}
		msg := f.Message
		if f.Fix != "" {
			msg += "\nFix: " + f.Fix
		}
		if !artifacts[path] {
			artifacts[path] = true
			run.Artifacts = append(run.Artifacts, sarifArtifact{Location: sarifArtifactLocation{URI: path}})
		}
		var index *int
		if i, ok := ruleIndex[f.Rule]; ok {
			index = &i
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Rule, RuleIndex: index, Level: sarifLevel(f.Severity), Message: sarifText{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLocation{URI: path}, Region: region}}},
		})
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
		run.Invocations = append(run.Invocations, sarifInvocation{ExecutionSuccessful: false,
			ToolExecutionNotifications: []sarifNotification{{Level: "error",
				Message: sarifText{Text: "the runtime check did not finish: " + rt.Error + "\n" + RuntimeErrorHelp}}}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{
		Schema:  "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
		Version: "2.1.0", Runs: []sarifRun{run},
	})
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
