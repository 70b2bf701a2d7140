// Command phasegate enforces the expand/contract migration workflow for
// PostgreSQL: it assigns every new migration statement a phase (expand,
// contract, unknown) and reports lock and rewrite hazards with their safe
// alternatives.
//
// This package only parses flags and configuration and wires the other
// packages together. The commands, their help and their examples are
// listed in commands.go; help.go prints them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"unicode"

	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/spell"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFindings = 1 // findings at error severity
	exitUsage    = 2 // usage, config or parse errors; a runtime check that did not finish
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A run lives for seconds and keeps little: a window of parsed
		// files and the catalog. Collecting garbage a quarter as often
		// saves 15-25% of a static check's time over a few hundred files
		// (docs/performance.md); the heap stays in the tens of megabytes.
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one invocation and returns its exit status. Every error reaches
// stderr: there is no exit status without a message.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "phasegate: give a command\n\n")
		printMainHelp(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(args[1:], stdout, stderr)
	case "--version", "-version":
		name = "version"
	}
	cmd := lookupCommand(name)
	if cmd == nil && strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "phasegate: unknown flag %s: give the command first, then its flags (phasegate COMMAND --flag)\nRun 'phasegate --help' for the list of commands.\n", name)
		return exitUsage
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "phasegate: unknown command %q%s\nRun 'phasegate --help' for the list of commands.\n", name, spell.DidYouMean(name, commandNames(), "%q"))
		return exitUsage
	}
	code, err := cmd.run(args[1:], stdout, stderr)
	if err == nil {
		return code
	}
	var help *helpRequest
	if errors.As(err, &help) {
		printCommandHelp(stdout, cmd, help.fs)
		return exitOK
	}
	fmt.Fprintf(stderr, "phasegate %s: %s\n", cmd.name, err)
	if hint := failureHint(cmd.name, err); hint != "" {
		fmt.Fprintln(stderr, hint)
	}
	return exitUsage
}

// failureHint is what to do about the error a command returned, printed
// after its message: the one place that decides what a kind of failure
// means to the user. Every error exits 2 (usage, config, git, Docker,
// parse: what stops phasegate from giving a verdict, as documented in
// exitStatusHelp); findings and failed scenarios are verdicts, returned as
// statuses, not errors.
func failureHint(command string, err error) string {
	var usage *usageError
	var cfg *config.Error
	var notRepo *git.NotRepoError
	switch {
	case errors.As(err, &usage):
		return fmt.Sprintf("Run 'phasegate help %s' for its flags and examples.", command)
	case errors.As(err, &cfg):
		return "Every key of the config file, with its default: docs/configuration.md."
	case errors.As(err, &notRepo):
		if c := lookupCommand(command); c != nil && c.git != "" {
			return c.git
		}
		return fmt.Sprintf("phasegate %s reads a git repository: run it in one.", command)
	}
	return ""
}

// runHelp is "phasegate help [COMMAND]": the command's help, or the list
// of commands, on stdout.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printMainHelp(stdout)
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "phasegate help: give one command, not %d\n", len(args))
		return exitUsage
	}
	if args[0] == "help" {
		printMainHelp(stdout)
		return exitOK
	}
	if lookupCommand(args[0]) == nil {
		fmt.Fprintf(stderr, "phasegate help: unknown command %q%s\nRun 'phasegate --help' for the list of commands.\n", args[0], spell.DidYouMean(args[0], commandNames(), "%q"))
		return exitUsage
	}
	return run([]string{args[0], "--help"}, stdout, stderr)
}

// usageError is an invocation that cannot run as given (a missing or
// invalid flag, a missing argument): its message is printed with a pointer
// to the command's help, and phasegate exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// helpRequest is returned by a command given -h or --help: run prints the
// help of the command, whose flags are in fs, and exits 0.
type helpRequest struct{ fs *flag.FlagSet }

func (*helpRequest) Error() string { return "help requested" }

// newFlagSet returns the flag set of a command. Parse errors are not
// printed by the flag package: parseInterspersed returns them as usage
// errors, and -h or --help as a helpRequest.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseInterspersed parses flags that may follow positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := flagAsValue(fs, args); err != nil {
		return nil, err
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{fs}
			}
			return nil, flagError(fs, err)
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

// flagAsValue refuses a flag that takes a value followed by another flag
// (--base --static-only), which the flag package would take as its value
// (no revision, path, format or token of phasegate's flags starts with
// '-'; --base=-x still gives a value that does), or by nothing.
func flagAsValue(fs *flag.FlagSet, args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		name, ok := strings.CutPrefix(a, "-")
		if !ok || strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(strings.TrimPrefix(name, "-"))
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i == len(args)-1 {
			return usagef("--%s needs a value (%s)", f.Name, valueOf(fs.Name(), f.Name))
		}
		next := args[i+1]
		if !looksLikeFlag(next) {
			i++ // the flag's value
			continue
		}
		msg := fmt.Sprintf("--%s needs a value (%s), got the flag %s", f.Name, valueOf(fs.Name(), f.Name), next)
		if n, _, _ := strings.Cut(next[1:], "="); next[1] != '-' && fs.Lookup(n) == nil {
			// -x is no flag of the command: it may be a value after all.
			msg = fmt.Sprintf("%s; if %s is the value, write --%s=%s", msg, next, f.Name, next)
		}
		return usagef("%s", msg)
	}
	return nil
}

// looksLikeFlag reports whether a command-line word is a flag: -x, --x,
// not a negative number or "-".
func looksLikeFlag(s string) bool {
	return len(s) > 1 && s[0] == '-' && (s[1] == '-' || unicode.IsLetter(rune(s[1])))
}

// valueOf says what the flag name of command takes, after the word its
// help shows (--base REF): "a git revision".
func valueOf(command, name string) string {
	words := map[string]string{
		"REF": "a git revision", "REV": "a git revision", "DIR": "a directory", "FILE": "a file", "N": "a number",
		"URL": "a PostgreSQL URL", "IMAGE": "a container image", "TOKEN": "a token", "NAME": "a migration format",
		"WHEN": `release, "deployment ENV" or a date`,
	}
	for _, cmd := range parsing {
		if cmd.name != command {
			continue
		}
		for _, g := range cmd.groups {
			for _, f := range g.flags {
				if v, ok := strings.CutPrefix(f, "--"+name+" "); ok {
					if w, ok := words[v]; ok {
						return w
					}
					if alts := strings.Split(v, "|"); len(alts) > 1 {
						return strings.Join(alts[:len(alts)-1], ", ") + " or " + alts[len(alts)-1]
					}
					return v
				}
			}
		}
	}
	return "a value"
}

// parsing is commands, for what their run functions call while parsing
// flags (valueOf): commands, whose initializer names those functions,
// cannot name itself.
var parsing []*command

func init() { parsing = commands }

// noArguments refuses positional arguments for commands that take none.
func noArguments(fs *flag.FlagSet, pos []string, hint string) error {
	if len(pos) == 0 {
		return nil
	}
	return usagef("%s takes no arguments, only flags (got %q)%s", fs.Name(), pos[0], hint)
}

var (
	// Compiled when a flag is wrong, not at every start-up.
	undefinedFlag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^flag provided but not defined: -+(.*)$`) })
	flagName      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|[ :])-([a-z][a-z0-9-]*)`) })
	badValue      = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^invalid (?:boolean )?value ".*" for (?:flag )?-+([a-z][a-z0-9-]*): parse error$`)
	})
)

// flagError rewrites a parse error of the flag package as a usage error
// that writes flags as --flag, and suggests the nearest flag for an
// unknown one.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if m := undefinedFlag().FindStringSubmatch(msg); m != nil {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		return usagef("unknown flag --%s%s", m[1], spell.DidYouMean(m[1], names, "--%s"))
	}
	// The flag package says only "parse error" of a value it cannot read.
	if m := badValue().FindStringSubmatch(msg); m != nil {
		want := "not a valid value"
		var v any
		if f := fs.Lookup(m[1]); f != nil {
			if g, ok := f.Value.(flag.Getter); ok {
				v = g.Get()
			}
		}
		switch v.(type) {
		case int, int64, uint, uint64:
			want = "not a whole number"
		case bool:
			want = "give true or false"
		}
		msg = strings.TrimSuffix(msg, "parse error") + want
	}
	return usagef("%s", flagName().ReplaceAllString(msg, "$1--$2"))
}

// version is the release version, stamped at build time with
// go build -ldflags "-X main.version=v1.2.3"; other builds take it from
// the module or the git checkout they were built in.
var version string

// versionText says which phasegate this is: the stamped or module version,
// the commit and commit date the binary was built from, and the Go
// toolchain, from bi, the build information the Go linker records
// (debug.ReadBuildInfo; nil when there is none).
//
// go build stamps the commit (vcs.revision) in a git clone; it does not in
// a git worktree (whose .git is a file) or with -buildvcs=false.
func versionText(bi *debug.BuildInfo) string {
	v := version
	var rev, at string
	modified := false
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	var b strings.Builder
	switch {
	case v != "":
		fmt.Fprintf(&b, "phasegate %s\n", v)
	case rev != "":
		b.WriteString("phasegate development build\n")
	default:
		b.WriteString("phasegate (no version recorded: it was built without version control stamping, outside a git checkout or with -buildvcs=false, and without -ldflags \"-X main.version=VERSION\")\n")
	}
	if rev != "" {
		fmt.Fprintf(&b, "commit %s", rev)
		if at != "" {
			fmt.Fprintf(&b, " (%s)", at)
		}
		if modified {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return b.String()
}

func runVersion(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("version")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArguments(fs, pos, ""); err != nil {
		return 0, err
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(bi))
	return exitOK, nil
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
