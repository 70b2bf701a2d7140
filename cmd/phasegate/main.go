// Command phasegate enforces the expand/contract migration workflow for
// PostgreSQL: it assigns every new migration statement a phase (expand,
// contract, unknown) and reports lock and rewrite hazards with their safe
// alternatives.
//
// This package only parses flags and configuration and wires the other
// packages together.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFindings = 1 // findings at error severity
	exitUsage    = 2 // usage, config or parse errors
)

const usage = `phasegate enforces the expand/contract workflow for PostgreSQL migrations.

Usage:
  phasegate check --base REF [--head REF] [--repo DIR] [--config FILE] [--static-only] [--format text|json]
                  [--report-json FILE] [--sarif FILE] [--comment on|off|on-failure] [--fail-on error|warning|never]
  phasegate classify [--schema FILE] [--config FILE] [--format text|json] PATH...
  phasegate split [--dry-run] [--base REF] [--after release|"deployment ENV"|DATE] FILE...
  phasegate followup [--dry-run] [--force] [--repo DIR] [--repository OWNER/NAME] [--github-token TOKEN]
  phasegate comment --report FILE [--pr N] [--repository OWNER/NAME] [--github-token TOKEN]
  phasegate rules [--markdown]
  phasegate version

Run "phasegate COMMAND -h" for the flags of a command.
Exit status: 0 no error findings, 1 findings at error severity, 2 usage, config or parse errors.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors that are the user's invocation.
var errUsage = errors.New("usage")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var code int
	var err error
	switch args[0] {
	case "check":
		code, err = runCheck(args[1:], stdout, stderr)
	case "classify":
		code, err = runClassify(args[1:], stdout, stderr)
	case "rules":
		code, err = runRules(args[1:], stdout, stderr)
	case "comment":
		code, err = runComment(args[1:], stdout, stderr)
	case "split":
		code, err = runSplit(args[1:], stdout, stderr)
	case "followup":
		code, err = runFollowup(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "phasegate", version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "phasegate: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		if !errors.Is(err, errUsage) || !strings.HasSuffix(err.Error(), "usage") {
			fmt.Fprintf(stderr, "phasegate %s: %s\n", args[0], strings.TrimSuffix(err.Error(), ": usage"))
		}
		return exitUsage
	}
	return code
}

// parseInterspersed parses flags that may follow positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: usage", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func usagef(format string, args ...any) error {
	return fmt.Errorf("%s%w", fmt.Sprintf(format+": ", args...), errUsage)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// colorOK reports whether w is a terminal that wants colour.
func colorOK(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
