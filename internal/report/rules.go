package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
)

// RulesTable renders the rule table at the top of docs/rules.md: one row
// per rule, linking to the rule's section of docPath ("" for the same
// page).
func RulesTable(w io.Writer, rules []*checker.Rule, docPath string) error {
	var b strings.Builder
	b.WriteString("| rule | category | default | flags |\n|---|---|---|---|\n")
	for _, r := range rules {
		cat := r.Category.String()
		if r.Category == checker.Compatibility {
			if r.Phase == checker.Expand {
				cat += " (advisory)"
			} else {
				cat += " → " + r.Phase.String()
			}
		}
		fmt.Fprintf(&b, "| [`%s`](%s#%s) | %s | %s | %s |\n", r.ID, docPath, r.ID, cat, r.Severity, escapeCell(r.Summary))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RulesMarkdown renders the rule reference, docs/rules.md.
func RulesMarkdown(w io.Writer, rules []*checker.Rule) error {
	var b strings.Builder
	b.WriteString("# phasegate rules\n\n")
	b.WriteString("<!-- Generated from the rule data in internal/checker/rule_*.go by `phasegate rules --markdown > docs/rules.md`; a test fails when this file drifts. -->\n\n")
	b.WriteString("Every finding names one of these rules. Compatibility rules decide a statement's phase: a finding of a\n")
	b.WriteString("contract (or unknown) rule makes the statement contract (or unknown). Locking rules report lock and\n")
	b.WriteString("rewrite hazards whatever the phase. Severities can be changed, or rules turned off, in the config\n")
	b.WriteString("(`rules:`), and silenced on one statement with `-- phasegate:ignore RULE reason`.\n\n")
	if err := RulesTable(&b, rules, ""); err != nil {
		return err
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return RuleSections(w, rules)
}

// RuleSections renders the sections of docs/rules.md for rules: each
// rule's category, why, safe alternative, notes and examples.
func RuleSections(w io.Writer, rules []*checker.Rule) error {
	var b strings.Builder
	for i, r := range rules {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "## %s\n\n", r.ID)
		fmt.Fprintf(&b, "*Category:* %s. *Default severity:* %s.\n\n", ruleCategory(r), r.Severity)
		fmt.Fprintf(&b, "Flags %s.\n\n", lowerFirst(r.Summary))
		fmt.Fprintf(&b, "**Why.** %s.\n\n", upperFirst(strings.TrimSuffix(r.Why, ".")))
		fmt.Fprintf(&b, "**Safe alternative.**\n\n%s\n", r.Fix)
		if r.Notes != "" {
			fmt.Fprintf(&b, "\n**Notes.** %s\n", strings.ReplaceAll(r.Notes, "\n", " "))
		}
		bad, good := examples(r)
		writeExamples(&b, "Flagged", bad)
		writeExamples(&b, "Not flagged", good)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RuleText renders one rule's whole documentation for a terminal
// (phasegate rules RULE): the same content as its section of
// docs/rules.md, without Markdown.
func RuleText(w io.Writer, r *checker.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n", r.ID, strings.Repeat("=", len(r.ID)))
	fmt.Fprintf(&b, "Category: %s. Default severity: %s.\n\n", ruleCategory(r), r.Severity)
	fmt.Fprintf(&b, "Flags %s.\n\n", lowerFirst(r.Summary))
	fmt.Fprintf(&b, "Why: %s.\n\n", upperFirst(strings.TrimSuffix(r.Why, ".")))
	fmt.Fprintf(&b, "Safe alternative:\n%s\n", indent(r.Fix, "  "))
	if r.Notes != "" {
		fmt.Fprintf(&b, "\nNotes:\n%s\n", indent(r.Notes, "  "))
	}
	bad, good := examples(r)
	for _, group := range []struct {
		title string
		exs   []checker.Example
	}{{"Flagged", bad}, {"Not flagged", good}} {
		if len(group.exs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:\n", group.title)
		for i, ex := range group.exs {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(indent(exampleSQL(ex), "  "))
			b.WriteString("\n")
		}
	}
	if r.Check != nil {
		fmt.Fprintf(&b, "\nSilence it on one statement with -- phasegate:ignore %s <reason>; change its severity in the config (rules: {%s: warning}).\n", r.ID, r.ID)
	} else { // it judges no statement, so no statement's directive silences it
		fmt.Fprintf(&b, "\nChange its severity in the config (rules: {%s: warning}, or off).\n", r.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ruleCategory(r *checker.Rule) string {
	cat := r.Category.String()
	if r.Category == checker.Compatibility {
		if r.Phase == checker.Expand {
			cat += ", advisory (the statement stays expand)"
		} else {
			cat += ", makes the statement " + r.Phase.String()
		}
	}
	return cat
}

func examples(r *checker.Rule) (bad, good []checker.Example) {
	for _, ex := range r.Examples {
		if ex.Flagged {
			bad = append(bad, ex)
		} else {
			good = append(good, ex)
		}
	}
	return bad, good
}

// exampleSQL is an example's SQL, preceded by the version and production
// schema it assumes as comments, and followed, for a runtime rule's
// example, by what the runtime check measures; for a history rule's
// example, the migration files on the base branch and what the change does
// to them.
func exampleSQL(ex checker.Example) string {
	if ex.IsHistory() {
		return exampleChange(ex)
	}
	var b strings.Builder
	if ex.Version != 0 {
		fmt.Fprintf(&b, "-- on PostgreSQL %d\n", ex.Version)
	}
	if ex.Base != "" {
		fmt.Fprintf(&b, "-- production schema:\n-- %s\n", strings.ReplaceAll(ex.Base, "\n", "\n-- "))
	}
	b.WriteString(ex.SQL)
	if ex.Measured != nil { // a runtime rule's example
		var locks []string
		for _, l := range ex.Measured {
			lock := l.Mode + " on " + l.Relation
			if l.Rewrote {
				lock += ", rewritten"
			}
			locks = append(locks, lock)
		}
		if len(locks) == 0 {
			locks = []string{"no lock"}
		}
		fmt.Fprintf(&b, "\n-- the runtime check measures: %s", strings.Join(locks, "; "))
	}
	return b.String()
}

// exampleChange writes a history rule's example: its migration files on
// the base branch, then the files the change adds, edits or deletes.
func exampleChange(ex checker.Example) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s migrations on the base branch:\n", ex.Format)
	onBase := map[string]bool{}
	for _, f := range ex.BaseFiles {
		onBase[f.Name] = true
		fmt.Fprintf(&b, "-- %s\n%s\n", f.Name, strings.TrimSuffix(f.SQL, "\n"))
	}
	for _, f := range ex.Change {
		switch {
		case f.SQL == "":
			fmt.Fprintf(&b, "-- the change deletes %s\n", f.Name)
		case onBase[f.Name]:
			fmt.Fprintf(&b, "-- the change edits %s:\n%s\n", f.Name, strings.TrimSuffix(f.SQL, "\n"))
		default:
			fmt.Fprintf(&b, "-- the change adds %s:\n%s\n", f.Name, strings.TrimSuffix(f.SQL, "\n"))
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func writeExamples(b *strings.Builder, title string, exs []checker.Example) {
	if len(exs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for _, ex := range exs {
		fmt.Fprintf(b, "```sql\n%s\n```\n", exampleSQL(ex))
	}
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func lowerFirst(s string) string {
	if s == "" || strings.ToUpper(s[:1]) == s[:1] && len(s) > 1 && strings.ToUpper(s[1:2]) == s[1:2] {
		return s // an acronym such as "DROP TABLE ..."
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
