package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

const helpWidth = 100 // columns the help is wrapped to

const exitStatusHelp = `Exit status: 0 nothing at error severity; 1 findings at error severity (or a failed runtime check);
2 usage, config, git or parse errors, or a runtime check that did not finish.`

// printMainHelp writes phasegate --help: every command with one line.
func printMainHelp(w io.Writer) {
	var b strings.Builder
	b.WriteString(`phasegate enforces the expand/contract workflow for PostgreSQL migrations: it gives every new
migration statement a phase (expand, contract or unknown), reports lock and rewrite hazards with their
safe alternatives, and proves with the previous release's tests that it survives the migrations.

Usage:
  phasegate COMMAND [flags]

Commands:
`)
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-*s  %s\n", width, "help", "print a command's flags and examples")
	b.WriteString(`
Examples:
  $ phasegate check --base main --static-only
  $ phasegate classify db/migrations
  $ phasegate rules missing-lock-timeout

Run 'phasegate help COMMAND' (or 'phasegate COMMAND --help') for a command's flags and examples.
` + exitStatusHelp + `
Documentation: README.md, docs/configuration.md (every config key), docs/cli.md (every command and flag), docs/rules.md (every rule).
`)
	io.WriteString(w, b.String())
}

// printCommandHelp writes the help of cmd, whose flags are in fs: what it
// does, its synopsis, its flags by group, and examples.
func printCommandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "phasegate %s: %s\n\n%s\n\nUsage:\n  %s\n", cmd.name, cmd.summary, cmd.long,
		strings.TrimSpace("phasegate "+cmd.name+" "+cmd.usage))
	groups, _ := helpGroups(cmd, fs)
	width := 0
	for _, g := range groups {
		for _, e := range g.entries {
			width = max(width, len(e.text))
		}
	}
	width = min(width, 24)
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%s:\n", g.title)
		for _, e := range g.entries {
			writeFlag(&b, e, width)
		}
	}
	if len(cmd.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for i, ex := range cmd.examples {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "  # %s\n  $ %s\n", ex.what, ex.line)
		}
	}
	exit := exitStatusHelp
	if cmd.exit != "" {
		exit = "Exit status: " + cmd.exit
	}
	b.WriteString("\n" + strings.Join(wrap(exit, helpWidth), "\n") + "\n")
	io.WriteString(w, b.String())
}

// helpGroup is a group of flags as printed.
type helpGroup struct {
	title   string
	entries []helpEntry
}

type helpEntry struct {
	text string // "--base REF"
	flag *flag.Flag
}

// helpGroups returns the flag groups of cmd with the flags of fs, and the
// entries of cmd.groups that name no flag of fs (a stale help). Flags no
// group names come last, under "Other flags", so that the help never
// hides a flag.
func helpGroups(cmd *command, fs *flag.FlagSet) (groups []helpGroup, stale []string) {
	grouped := map[string]bool{}
	for _, g := range cmd.groups {
		hg := helpGroup{title: g.title}
		for _, text := range g.flags {
			name, _, _ := strings.Cut(strings.TrimPrefix(text, "--"), " ")
			f := fs.Lookup(name)
			if f == nil {
				stale = append(stale, text)
				continue
			}
			grouped[name] = true
			hg.entries = append(hg.entries, helpEntry{text, f})
		}
		groups = append(groups, hg)
	}
	other := helpGroup{title: "Other flags"}
	fs.VisitAll(func(f *flag.Flag) {
		if !grouped[f.Name] {
			placeholder, _ := flag.UnquoteUsage(f)
			other.entries = append(other.entries, helpEntry{strings.TrimSpace("--" + f.Name + " " + strings.ToUpper(placeholder)), f})
		}
	})
	if len(other.entries) > 0 {
		groups = append(groups, other)
	}
	return groups, stale
}

// writeFlag writes one flag: its synopsis, then its usage wrapped beside
// it, and its default when the usage does not already say it.
func writeFlag(b *strings.Builder, e helpEntry, width int) {
	text := e.flag.Usage
	if d := e.flag.DefValue; d != "" && d != "false" && d != "0" && !strings.Contains(text, "default") {
		text += fmt.Sprintf(" (default %s)", d)
	}
	indent := 2 + width + 2
	lines := wrap(text, helpWidth-indent)
	if len(e.text) > width {
		fmt.Fprintf(b, "  %s\n", e.text)
		for _, l := range lines {
			fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", indent), l)
		}
		return
	}
	for i, l := range lines {
		if i == 0 {
			fmt.Fprintf(b, "  %-*s  %s\n", width, e.text, l)
		} else {
			fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", indent), l)
		}
	}
}

// wrap breaks text into lines of at most width columns, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
