package report

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/phasegate/phasegate/internal/compat"
)

// Marker is the hidden line by which phasegate finds its own pull request
// comment again.
const Marker = "<!-- phasegate:comment -->"

// MarkdownOptions say where the report's files live, for links.
type MarkdownOptions struct {
	// ServerURL and Repo ("owner/name") and Commit make file:line links;
	// without them, locations are plain text.
	ServerURL, Repo, Commit string
	// Marker adds the hidden comment marker (for the PR comment).
	Marker bool
	// MaxBytes bounds the output (GitHub refuses comments over 65,536
	// characters); 0 means no bound.
	MaxBytes int
}

// Markdown renders the report for a pull request comment or the job
// summary: the verdict first, then what to do next, each migration's
// statements with their phase, the findings with their fix, and the
// runtime scenarios. It is compact when everything is expand and green.
func Markdown(w io.Writer, r *Report, opts MarkdownOptions) error {
	md := markdown(r, opts, false)
	if opts.MaxBytes > 0 && len(md) > opts.MaxBytes {
		md = truncate(markdown(r, opts, true), opts.MaxBytes)
	}
	_, err := io.WriteString(w, md)
	return err
}

// cutNote ends a comment that truncate cut.
const cutNote = "\n… (cut: the report is too long for a comment; see the job summary or the JSON report)\n"

// truncate cuts md to at most limit bytes, with cutNote at the end, at a
// markdown boundary: the end of a line that is outside every code fence
// and <details> block (so never inside a multi-byte character, a fence or
// a collapsed section: what is kept renders as it would have whole). When
// no boundary fits, only the note is left, cut to limit bytes at a
// character boundary if it does not fit either.
func truncate(md string, limit int) string {
	if len(md) <= limit {
		return md
	}
	budget := limit - len(cutNote)
	cut := 0
	inFence, depth := false, 0
	for pos := 0; pos < len(md); {
		end := len(md)
		if i := strings.IndexByte(md[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		if end > budget {
			break
		}
		line := md[pos:end]
		switch {
		case strings.HasPrefix(line, "```"):
			inFence = !inFence
		case inFence:
		case strings.HasPrefix(line, "<details"):
			depth++
		case strings.HasPrefix(line, "</details>"):
			depth = max(depth-1, 0)
		}
		pos = end
		if !inFence && depth == 0 && strings.HasSuffix(line, "\n") {
			cut = pos
		}
	}
	if budget < 0 {
		note := cutNote
		for len(note) > limit || !utf8.ValidString(note) {
			note = note[:len(note)-1]
		}
		return note
	}
	return md[:cut] + cutNote
}

type mdWriter struct {
	strings.Builder
	opts MarkdownOptions
}

func (b *mdWriter) f(format string, args ...any) { fmt.Fprintf(&b.Builder, format, args...) }

// link renders path:line, linked to the file at the commit when known.
func (b *mdWriter) link(path string, line int) string {
	text := path
	if line > 0 {
		text = fmt.Sprintf("%s:%d", path, line)
	}
	if b.opts.ServerURL == "" || b.opts.Repo == "" || b.opts.Commit == "" {
		return "`" + text + "`"
	}
	u := fmt.Sprintf("%s/%s/blob/%s/%s", strings.TrimSuffix(b.opts.ServerURL, "/"), b.opts.Repo, b.opts.Commit, (&url.URL{Path: path}).EscapedPath())
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	return fmt.Sprintf("[`%s`](%s)", text, u)
}

var (
	sevIcon    = map[string]string{"error": "⛔", "warning": "⚠️", "info": "ℹ️"}
	phaseIcon  = map[string]string{"expand": "🟢", "contract": "🔴", "unknown": "🟠"}
	statusIcon = map[string]string{"pass": "✅", "fail": "❌", "error": "❌", "skipped": "⏭️"}
	phaseWords = map[string]string{
		"expand":   "expand: applied before the deploy",
		"contract": "**contract**: deferred to a follow-up PR after the next release",
		"unknown":  "**unknown**: needs a directive",
	}
	scenarioWords = map[string]string{
		compat.ScenarioBaseline:      "previous release's tests, previous schema",
		compat.ScenarioCompat:        "previous release's tests, schema after the new migrations",
		compat.ScenarioDeploy:        "new code's tests, schema after the new migrations (until the contract runs)",
		compat.ScenarioContractReady: "new code's tests, schema after the deferred contract",
	}
)

func markdown(r *Report, opts MarkdownOptions, compact bool) string {
	b := &mdWriter{opts: opts}
	if opts.Marker {
		b.f("%s\n", Marker)
	}
	s := r.Summary
	if len(r.Files) == 0 && len(r.Errors) == 0 {
		b.f("### ✅ phasegate: this pull request changes no migration\n\n")
		b.f("Nothing to check. (An earlier version of this pull request had migrations; this comment was updated when they went.)\n")
		footer(b, r)
		return b.String()
	}
	b.f("### %s phasegate: %s\n\n", verdictIcon(r), headline(r))
	green := r.Result == "pass" && s.Contract == 0 && s.Unknown == 0 && s.Warnings == 0 && (r.Runtime == nil || unproven(r.Runtime.Changes) == 0)
	deferred := ""
	if s.Deferred > 0 {
		deferred = fmt.Sprintf(", %d deferred", s.Deferred)
	}
	b.f("%s · %s: %d expand, %d contract, %d unknown%s · %s, %s",
		plural(s.Files, "migration file"), plural(s.Statements, "statement"), s.Expand, s.Contract, s.Unknown, deferred,
		plural(s.Errors, "error"), plural(s.Warnings, "warning"))
	if rt := r.Runtime; rt != nil {
		b.f(" · runtime check: %s %s", verdictEmoji(rt.Verdict), r.runtimeVerdict())
	}
	b.f("\n\n")
	if green && !compact {
		b.f("<details><summary>Statements and runtime check</summary>\n\n")
		files(b, r, false)
		runtimeSection(b, r, false)
		b.f("</details>\n")
		footer(b, r)
		return b.String()
	}
	nextSteps(b, r)
	for _, e := range r.Errors {
		b.f("⛔ %s: %s\n\n", b.link(e.Path, e.Line), e.Message)
	}
	files(b, r, compact)
	if !compact {
		findingsSection(b, r)
	}
	runtimeSection(b, r, compact)
	footer(b, r)
	return b.String()
}

func verdictIcon(r *Report) string {
	switch {
	case r.Result == "fail":
		return "❌"
	case r.Summary.Warnings > 0 || r.Summary.Contract > 0 || r.Summary.Unknown > 0 || r.Runtime != nil && unproven(r.Runtime.Changes) > 0:
		return "⚠️"
	}
	return "✅"
}

func verdictEmoji(v string) string {
	switch v {
	case "pass":
		return "✅"
	case "baseline broken":
		return "⚠️"
	}
	return "❌"
}

// headline says in one line what matters most.
func headline(r *Report) string {
	s := r.Summary
	switch {
	case len(r.Errors) > 0:
		return plural(len(r.Errors), "migration file") + " could not be parsed"
	case r.Runtime != nil && r.Runtime.MigrationError != "":
		return "the new migrations fail to apply"
	case r.Runtime != nil && r.Runtime.Proof != nil && r.Runtime.Proof.Vacuous != "":
		return "the previous release's tests built their own tables: the compat proof is vacuous"
	case r.Runtime != nil && r.Runtime.Verdict == "fail" && failed(r, compat.ScenarioCompat):
		return "the previous release breaks against the new schema"
	case r.Runtime != nil && r.Runtime.Verdict == "fail" && failed(r, compat.ScenarioDeploy):
		return "the new code breaks on the schema it is deployed on"
	case s.Contract+s.Unknown > 0:
		n := s.Contract + s.Unknown
		if n == 1 {
			return "1 statement must wait for the next release"
		}
		return fmt.Sprintf("%d statements must wait for the next release", n)
	case r.Runtime != nil && r.Runtime.Error != "":
		return "the runtime check did not finish: only the static results are in"
	case r.Runtime != nil && r.Runtime.Verdict == "fail":
		return "the new code breaks against the deferred contract"
	case r.Runtime != nil && r.Runtime.Verdict == "baseline broken":
		return "the previous release's tests fail on its own schema: compatibility is unproven"
	case r.Runtime != nil && unproven(r.Runtime.Changes) > 0:
		return fmt.Sprintf("the previous release's tests never touched %s the change removes, renames or narrows: the compat scenario does not prove it", plural(unproven(r.Runtime.Changes), "object"))
	case s.Errors > 0:
		return plural(s.Errors, "locking or correctness error") + " to fix"
	case s.Warnings > 0:
		return fmt.Sprintf("all expand, %s to review", plural(s.Warnings, "warning"))
	}
	if s.Statements == 1 {
		return "1 statement, expand: safe to apply before the deploy"
	}
	return fmt.Sprintf("%d statements, all expand: safe to apply before the deploy", s.Statements)
}

func failed(r *Report, scenario string) bool {
	for _, sc := range r.Scenarios {
		if sc.Name == scenario {
			return sc.Status == "fail" || sc.Status == "error"
		}
	}
	return false
}

// nextSteps says what the author should do.
func nextSteps(b *mdWriter, r *Report) {
	var steps []string
	deferFiles := map[string]int{}
	var byHand []string
	var order []string
	lockErrors := 0
	for _, f := range r.Files {
		if f.Deferred {
			continue // it waits for the next release already
		}
		for _, st := range f.Statements {
			switch {
			case hasRule(st.Findings, "change-column-type"):
				// split refuses a type change: it prints the steps instead.
				byHand = append(byHand, fmt.Sprintf("%s:%d", f.Path, st.Line))
			case st.Phase == "contract" || st.Phase == "unknown" && st.PhaseDirective == "":
				if deferFiles[f.Path] == 0 {
					order = append(order, f.Path)
				}
				deferFiles[f.Path]++
			}
			for _, fd := range st.Findings {
				if fd.Severity == "error" && fd.Category != "compatibility" {
					lockErrors++
				}
			}
		}
	}
	for _, p := range order {
		n := deferFiles[p]
		steps = append(steps, fmt.Sprintf("Cut %s out of the release with `phasegate split %s`: what the new code needs ships now (a rename or a required column becomes expand steps), the rest waits in a deferred migration for the next release (or, if the previous release really is unaffected, say why on the statement: `-- phasegate:phase expand <reason>`).",
			plural(n, "contract statement"), p))
	}
	for _, w := range byHand {
		path, line := splitWhere(w)
		steps = append(steps, fmt.Sprintf("Change the column type at %s through a second column, in steps across releases (its `change-column-type` fix says how; `phasegate split` cannot keep one name right for both releases).", b.link(path, line)))
	}
	if lockErrors > 0 {
		steps = append(steps, fmt.Sprintf("Fix %s below before merging (each says how).", plural(lockErrors, "locking or correctness error")))
	}
	if rt := r.Runtime; rt != nil && rt.Error != "" {
		steps = append(steps, "The runtime check did not finish (see below): "+RuntimeErrorHelp+".")
	} else if rt != nil {
		if rt.MigrationError != "" {
			steps = append(steps, "Fix the migration that fails to apply: "+rt.MigrationError)
		}
		for _, sc := range r.Scenarios {
			switch {
			case sc.Name == compat.ScenarioCompat && sc.Status == "fail" && rt.Proof != nil && rt.Proof.Vacuous != "":
				steps = append(steps, "Make the compat proof real: "+compat.VacuousFix+".")
			case sc.Name == compat.ScenarioCompat && sc.Status == "fail":
				if len(sc.Implicated) > 0 {
					var objs []string
					for _, c := range sc.Implicated {
						objs = append(objs, fmt.Sprintf("`%s` (%s%s)", c.Object, c.Change, whereMD(b, c.Where)))
					}
					steps = append(steps, "The previous release's tests fail against the new schema: it still uses "+strings.Join(objs, ", ")+". Defer that change.")
				} else {
					steps = append(steps, "The previous release's tests fail against the new schema: see the compat output below.")
				}
			case sc.Name == compat.ScenarioDeploy && sc.Status == "fail":
				var objs []string
				for _, c := range sc.Implicated {
					objs = append(objs, fmt.Sprintf("`%s`, which only the deferred migration%s provides", c.Object, whereMD(b, c.Where)))
				}
				if len(objs) > 0 {
					steps = append(steps, "The new code's tests fail on the schema it is deployed on: it needs "+strings.Join(objs, "; ")+
						". Move that statement back from the deferred migration into the migration its header names (`from:`), delete the deferred one, and run `phasegate split` on that migration: it rewrites a rename or a required column into an expand part that ships now and a contract part that waits.")
				} else {
					steps = append(steps, "The new code's tests fail on the schema it is deployed on (the new migrations without the deferred ones): see the deploy output below.")
				}
			case sc.Name == compat.ScenarioContractReady && sc.Status == "fail":
				steps = append(steps, "The new code still depends on what the deferred contract removes: stop using it in this release.")
			case sc.Name == compat.ScenarioBaseline && !compat.BaselineBroken(sc.Status, sc.Tests) && sc.Status == "fail":
				steps = append(steps, baselineFailingStep(sc.Tests))
			case sc.Name == compat.ScenarioBaseline && (sc.Status == "fail" || sc.Status == "error"):
				steps = append(steps, "The previous release's tests fail even on its own schema (baseline): fix the test setup; until then compatibility is unproven.")
			case sc.Status == "error" && sc.Reason != "" && sc.Name != compat.ScenarioBaseline && rt.MigrationError == "":
				steps = append(steps, fmt.Sprintf("The %s scenario could not run: %s.", sc.Name, sc.Reason))
			}
		}
	}
	if len(steps) == 0 {
		return
	}
	b.f("**What to do next**\n\n")
	for _, s := range steps {
		b.f("- %s\n", s)
	}
	b.f("\n")
}

func hasRule(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

func whereMD(b *mdWriter, where string) string {
	if where == "" {
		return ""
	}
	path, line := splitWhere(where)
	return " in " + b.link(path, line)
}

func splitWhere(w string) (string, int) {
	i := strings.LastIndexByte(w, ':')
	if i < 0 {
		return w, 0
	}
	var n int
	fmt.Sscan(w[i+1:], &n)
	return w[:i], n
}

// files renders one table per migration file.
func files(b *mdWriter, r *Report, compact bool) {
	for _, f := range r.Files {
		status := ""
		if f.Status != "" {
			status = " (" + f.Status + ")"
		}
		counts := map[string]int{}
		for _, st := range f.Statements {
			counts[st.Phase]++
		}
		summary := phaseCounts(counts)
		if f.Deferred {
			summary = "deferred contract migration: " + plural(len(f.Statements), "statement") + " that run after the next release (the follow-up pull request applies them)"
			counts = map[string]int{} // nothing in it has to move
		}
		b.f("**%s**%s: %s\n\n", b.link(f.Path, 0), status, summary)
		for _, fd := range f.Findings {
			b.f("- %s `%s` %s: %s\n", sevIcon[fd.Severity], fd.Rule, b.link(f.Path, fd.Line), fd.Message)
		}
		if len(f.Findings) > 0 {
			b.f("\n")
		}
		if len(f.Statements) == 0 || compact && counts["contract"]+counts["unknown"] == 0 {
			continue
		}
		b.f("| | line | statement | phase | findings |\n|---|---|---|---|---|\n")
		for _, st := range f.Statements {
			if compact && st.Phase == "expand" && len(st.Findings) == 0 {
				continue
			}
			var fs []string
			for _, fd := range st.Findings {
				fs = append(fs, sevIcon[fd.Severity]+" `"+fd.Rule+"`")
			}
			phase := phaseWords[st.Phase]
			if st.PhaseDirective != "" {
				phase = "**" + st.Phase + "** (set by directive: " + cell(st.PhaseDirective) + ")"
			}
			icon := phaseIcon[st.Phase]
			if st.Phase == "expand" && hasSerious(st.Findings) {
				icon = "🟡"
			}
			if f.Deferred {
				icon, phase = "⏸️", "deferred: "+st.Phase+", applied after the next release"
			}
			b.f("| %s | %d | `%s` | %s | %s |\n", icon, st.Line, cell(oneLine(st.SQL, 90)), phase, strings.Join(fs, " "))
		}
		b.f("\n")
	}
}

func hasSerious(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == "error" || f.Severity == "warning" {
			return true
		}
	}
	return false
}

func phaseCounts(c map[string]int) string {
	var parts []string
	for _, p := range []string{"expand", "contract", "unknown"} {
		if c[p] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[p], p))
		}
	}
	if len(parts) == 0 {
		return "no statement"
	}
	return strings.Join(parts, ", ")
}

// findingsSection lists every finding with its message and fix, collapsed.
func findingsSection(b *mdWriter, r *Report) {
	n := 0
	for _, f := range r.Files {
		for _, st := range f.Statements {
			n += len(st.Findings)
		}
	}
	if n == 0 {
		return
	}
	b.f("<details><summary>Findings and how to fix them (%d)</summary>\n\n", n)
	for _, f := range r.Files {
		for _, st := range f.Statements {
			for _, fd := range st.Findings {
				line := st.Line
				if fd.Line > 0 {
					line = fd.Line
				}
				b.f("%s **`%s`** (%s) at %s: %s\n\n", sevIcon[fd.Severity], fd.Rule, fd.Severity, b.link(f.Path, line), fd.Message)
				if fix := strings.TrimSpace(fd.Fix); strings.HasPrefix(fix, "1. ") {
					// Numbered steps: a list of their own, after the label
					// (a list cannot start inside the label's paragraph).
					b.f("> **Fix.**\n>\n> %s\n\n", strings.ReplaceAll(fix, "\n", "\n> "))
				} else if fix != "" {
					b.f("> **Fix.** %s\n\n", strings.ReplaceAll(fix, "\n", "\n> "))
				}
			}
		}
	}
	b.f("</details>\n\n")
}

// runtimeSection renders the scenarios, the output of failed ones, the
// schema changes and the measured locks.
func runtimeSection(b *mdWriter, r *Report, compact bool) {
	rt := r.Runtime
	if rt == nil {
		return
	}
	b.f("**Runtime check**")
	if rt.Previous != "" {
		b.f(" against the previous release %s", previousLabel(rt))
	}
	if rt.Server != "" {
		b.f(", on PostgreSQL `%s`", rt.Server)
	}
	b.f("\n\n")
	if m := r.versionMismatch(); m != "" {
		b.f("⚠️ Note: %s.\n\n", m)
	}
	if rt.Error != "" {
		b.f("⛔ The runtime check did not finish:\n\n```\n%s\n```\n\n", strings.ReplaceAll(rt.Error, "```", "'''"))
	}
	if len(r.Scenarios) > 0 {
		b.f("| scenario | status | duration | what ran |\n|---|---|---|---|\n")
	}
	for _, sc := range r.Scenarios {
		dur := ""
		if sc.Status != "skipped" && sc.DurationMS > 0 {
			dur = fmt.Sprintf("%.1f s", float64(sc.DurationMS)/1000)
		}
		what := scenarioWords[sc.Name]
		if sc.Reason != "" && sc.Status != "fail" {
			what += ": " + cell(sc.Reason)
		}
		b.f("| %s | %s %s | %s | %s |\n", sc.Name, statusIcon[sc.Status], sc.Status, dur, what)
	}
	if len(r.Scenarios) > 0 {
		b.f("\n")
	}
	testsTable(b, r.Scenarios)
	if !compact {
		for _, sc := range r.Scenarios {
			if (sc.Status == "fail" || sc.Status == "error") && sc.OutputTail != "" {
				b.f("<details><summary>%s output (last lines)</summary>\n\n```\n%s\n```\n</details>\n\n", sc.Name, strings.ReplaceAll(lastN(sc.OutputTail, 30), "```", "'''"))
			}
		}
	}
	if p := rt.Proof; p != nil && p.Vacuous != "" {
		b.f("⚠️ **The compat proof is vacuous:** %s.\n\n> **Fix.** %s.\n\n", p.Vacuous, upperFirst(compat.VacuousFix))
	}
	if len(rt.Changes) > 0 {
		// Open when some change is unproven: a green compat scenario
		// proves nothing about it.
		open, note := "", ""
		if n := unproven(rt.Changes); n > 0 {
			open, note = " open", fmt.Sprintf("; %d unproven", n)
		}
		b.f("<details%s><summary>What the new migrations remove, rename or narrow (%d%s)</summary>\n\n", open, len(rt.Changes), note)
		for _, c := range rt.Changes {
			b.f("- %s `%s`: %s%s", c.Kind, bareObject(c), describe(c), whereMD(b, c.Where))
			switch cov := c.Coverage; {
			case cov == nil:
			case cov.Proven():
				b.f(" — ✅ %s", coverageWords(c))
			default:
				b.f(" — ⚠️ **%s**", coverageWords(c))
			}
			b.f("\n")
		}
		b.f("\n")
		if p := rt.Proof; p != nil {
			b.f("%s.\n", upperFirst(proofWords(p)))
			for _, u := range p.UnresolvedExamples {
				b.f("- %d× `%s`: %s\n", u.Count, cell(u.SQL), u.Why)
			}
			b.f("\n")
		}
		b.f("</details>\n\n")
	} else if p := rt.Proof; p != nil && (p.Error != "" || p.Recorded > 0) {
		b.f("%s.\n\n", upperFirst(proofWords(p)))
	}
	if !compact {
		locksSection(b, r)
	}
}

func previousLabel(rt *Runtime) string {
	if rt.PreviousCommit != "" && !strings.Contains(rt.Previous, shortSHA(rt.PreviousCommit)) {
		return fmt.Sprintf("%s (`%s`)", rt.Previous, shortSHA(rt.PreviousCommit))
	}
	return rt.Previous
}

func locksSection(b *mdWriter, r *Report) {
	type row struct {
		loc, rel, measured, predicted string
	}
	var rows []row
	for _, f := range r.Files {
		for _, st := range f.Statements {
			pred := map[string]string{}
			for _, l := range st.ExpectedLocks {
				pred[l.Relation] = l.Mode
				if l.Rewrite {
					pred[l.Relation] += " + rewrite"
				}
			}
			seen := map[string]bool{}
			for _, l := range st.Locks {
				m := l.Mode
				if l.Rewrote {
					m += " + rewrite"
				}
				seen[l.Relation] = true
				rows = append(rows, row{b.link(f.Path, st.Line), l.Relation, m, pred[l.Relation]})
			}
			var missing []string
			for rel := range pred {
				if !seen[rel] && len(st.Locks) > 0 {
					missing = append(missing, rel)
				}
			}
			sort.Strings(missing)
			for _, rel := range missing {
				rows = append(rows, row{b.link(f.Path, st.Line), rel, "none", pred[rel]})
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	b.f("<details><summary>Measured locks on existing tables (%d)</summary>\n\n| statement | table | measured | predicted |\n|---|---|---|---|\n", len(rows))
	for _, rw := range rows {
		flag := ""
		if rw.measured != rw.predicted {
			flag = " ⚠️"
		}
		b.f("| %s | `%s` | %s%s | %s |\n", rw.loc, rw.rel, rw.measured, flag, orDash(rw.predicted))
	}
	b.f("\n</details>\n\n")
}

func footer(b *mdWriter, r *Report) {
	parts := []string{"[phasegate](https://github.com/phasegate/phasegate)"}
	if b.opts.Commit != "" {
		parts = append(parts, "head `"+shortSHA(b.opts.Commit)+"`")
	}
	if r.Base != "" {
		parts = append(parts, "base `"+shortSHA(r.Base)+"`")
	}
	parts = append(parts, fmt.Sprintf("PostgreSQL %d", r.PostgresVersion), "[rules]("+DocsURL+")")
	b.f("\n<sub>%s</sub>\n", strings.Join(parts, " · "))
}

// cell makes text safe inside a table cell and a code span.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "`", "'")
	return s
}

// oneLine collapses whitespace and cuts s to n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
