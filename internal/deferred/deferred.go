// Package deferred is about deferred contract migrations: where they live
// for each migration tool (a directory the tool does not read), and the
// header phasegate writes at their top and reads back:
//
//	-- phasegate:deferred
//	--   after: release
//	--   from: db/migrations/0003_display_name.up.sql
//	--   pr: 42
//	--   commit: 3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f
//
// after says when the follow-up bot may move the migration into the
// active ones: "release" (default: once a release that contains the
// deferral has shipped), "deployment ENV" (once a successful GitHub
// deployment to ENV contains it), or a date (YYYY-MM-DD).
package deferred

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/spell"
)

// Dir returns the default deferred directory for a migrations directory
// of a format: a place the tool does not read. Each format says where
// (source.DeferredLayout); an unknown one gets "<dir>-deferred".
func Dir(format, migrationsDir string) string {
	f, _ := source.Lookup(format)
	return source.DeferredDir(f, migrationsDir)
}

// Format is the format of a deferred directory: the migrations' own where
// its files name themselves (so they keep their version and annotations),
// the ORM's migration files and plain SQL files for a format whose
// migrations are code (source.DeferredCode), plain SQL files otherwise
// (source.DeferredLayout).
func Format(f source.Format) source.Format { return source.DeferredFormat(f) }

// IsDeferredDir reports whether a directory name is one of the default
// deferred directories (so discovery skips it).
func IsDeferredDir(dir string) bool {
	base := path.Base(dir)
	return base == "deferred" || base == ".deferred" || strings.HasSuffix(base, "-deferred")
}

// Header is the deferral record at the top of a deferred migration.
type Header struct {
	// After is the release condition: "release", "deployment ENV" or a
	// date "YYYY-MM-DD".
	After string
	// From is the migration the statements were split out of.
	From string
	// PR and Commit record the pull request and commit that deferred it,
	// when known (the follow-up bot finds them in the history otherwise).
	PR     int
	Commit string
}

// String renders the header as SQL comments, ending with a newline.
func (h Header) String() string { return h.Comment("--") }

// Comment renders the header as comments that start with prefix: "--" in
// SQL, "#" in a migration written in Python (Alembic, Django).
func (h Header) Comment(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix + " phasegate:deferred\n")
	after := h.After
	if after == "" {
		after = "release"
	}
	fmt.Fprintf(&b, "%s   after: %s\n", prefix, after)
	if h.From != "" {
		fmt.Fprintf(&b, "%s   from: %s\n", prefix, h.From)
	}
	if h.PR > 0 {
		fmt.Fprintf(&b, "%s   pr: %d\n", prefix, h.PR)
	}
	if h.Commit != "" {
		fmt.Fprintf(&b, "%s   commit: %s\n", prefix, h.Commit)
	}
	return b.String()
}

// Error is a malformed header, at its line and column in the file.
type Error struct {
	Line, Col int
	// Msg says what is wrong, Fix what to write instead.
	Msg, Fix string
}

func (e *Error) Error() string {
	if e.Fix == "" {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s; %s", e.Line, e.Col, e.Msg, e.Fix)
}

// keys are the header's keys, in the order Comment writes them.
var keys = []string{"after", "from", "pr", "commit"}

// keyLine is a comment line that reads "key: value" ("#" in Python).
var keyLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(?:--|#)\s*([A-Za-z][A-Za-z0-9_-]*)\s*:(.*)$`)
})

// field is a "key: value" line of the header: the key (lower case), the
// value (trimmed), and the byte offsets in the line where each starts.
type field struct {
	key, value      string
	keyAt, valueAt  int
	known, inHeader bool
}

// headerLine reads a line below the mark. It is part of the header when
// it is a comment "key: value" whose key is one of keys (in any case), or
// a lower-case word followed by ": " (a misspelt key: known is false).
// Anything else ends the header: the migration's own first line, a
// tool's directive ("-- migrate:up", "-- atlas:txmode none", "--changeset
// ann:2"), a comment ("-- Note: ...").
func headerLine(line string) field {
	m := keyLine().FindStringSubmatchIndex(line)
	if m == nil {
		return field{}
	}
	key, value := line[m[2]:m[3]], line[m[4]:m[5]]
	f := field{key: strings.ToLower(key), keyAt: m[2], valueAt: m[5] - len(strings.TrimLeft(value, " \t")), value: strings.TrimSpace(value)}
	switch {
	case slices.Contains(keys, f.key):
		f.known, f.inHeader = true, true
	case key == f.key && (value == "" || value[0] == ' ' || value[0] == '\t'):
		f.inHeader = true
	}
	return f
}

// isMark reports whether a line is the header's first: a comment that
// reads phasegate:deferred.
func isMark(line string) bool {
	text := strings.TrimSpace(line)
	for _, p := range []string{"--", "#"} {
		if rest, ok := strings.CutPrefix(text, p); ok {
			return strings.EqualFold(strings.TrimSpace(rest), "phasegate:deferred")
		}
	}
	return false
}

// Parse reads the header of a deferred migration. ok is false when the
// file has none; a malformed header is an *Error, at its place in src:
// an after, pr or key a header cannot have, a key given twice, or a
// phasegate:deferred line that is not the file's header (below its first
// lines, or a second one).
func Parse(src []byte) (h Header, ok bool, err error) {
	h, ok, _, _, err = parse(src)
	return h, ok, err
}

// parse is Parse that also returns where the header lies in src: from the
// start of the mark's line to the end of its last key line.
func parse(src []byte) (h Header, ok bool, start, end int, err error) {
	s := string(src)
	off := 0
	if strings.HasPrefix(s, "\ufeff") {
		off = len("\ufeff")
	}
	line := 1
	// next returns the current line's text and the offset of the next.
	next := func() (string, int) {
		n := len(s)
		if i := strings.IndexByte(s[off:], '\n'); i >= 0 {
			n = off + i + 1
		}
		return strings.TrimRight(s[off:n], "\r\n"), n
	}
	col := func(text string, i int) int { return 1 + utf8.RuneCountInString(text[:i]) }
	// The mark, after blank lines (and Liquibase's own first line).
	markLine := 0
	for ; off < len(s); line++ {
		text, n := next()
		if t := strings.TrimSpace(text); t == "" || line == 1 && liquibaseHeader().MatchString(t) {
			off = n
			continue
		}
		if isMark(text) {
			ok, start, end, markLine = true, off, n, line
			off, line = n, line+1
		}
		break
	}
	// Its key lines.
	seen := map[string]int{}
	for ; ok && off < len(s); line++ {
		text, n := next()
		f := headerLine(text)
		if !f.inHeader {
			break
		}
		if !f.known {
			fix := fmt.Sprintf("the keys are %s", strings.Join(keys, ", "))
			if near := spell.DidYouMean(f.key, keys, "%s"); near != "" {
				fix += near
			} else {
				fix += " (a comment below the header needs a blank line above it)"
			}
			return h, ok, start, off, &Error{line, col(text, f.keyAt), fmt.Sprintf("unknown header key %q", f.key), fix}
		}
		if first, twice := seen[f.key]; twice {
			return h, ok, start, off, &Error{line, col(text, f.keyAt), fmt.Sprintf("%s: given twice (first at line %d)", f.key, first), "keep one"}
		}
		seen[f.key] = line
		at := col(text, f.valueAt)
		switch f.key {
		case "after":
			if _, err := ParseAfter(f.value); err != nil {
				return h, ok, start, off, &Error{line, at, "after: " + err.Error(),
					"write after: release, after: deployment ENV (e.g. after: deployment production) or after: YYYY-MM-DD (e.g. after: 2026-12-01)"}
			}
			h.After = f.value
		case "from":
			h.From = f.value
		case "pr":
			n, err := strconv.Atoi(strings.TrimPrefix(f.value, "#"))
			if err != nil || n <= 0 {
				return h, ok, start, off, &Error{line, at, fmt.Sprintf("pr: %q is not a pull request number", f.value),
					"write the number of the pull request that deferred it (pr: 42), or leave pr out: the follow-up bot finds it in the history"}
			}
			h.PR = n
		case "commit":
			h.Commit = f.value
		}
		off = n
		end = off
	}
	if ok && h.After == "" {
		h.After = "release"
	}
	// A phasegate:deferred line further down is no header: the follow-up
	// bot would not read it.
	if containsFold(s[off:], "phasegate:deferred") {
		for ; off < len(s); line++ {
			text, n := next()
			if isMark(text) {
				e := &Error{line, col(text, len(text)-len(strings.TrimLeft(text, " \t"))), "phasegate:deferred is not at the top of the file, where a header must be",
					"move it, with its key lines, to the top of the file (below --liquibase formatted sql in a Liquibase file)"}
				if ok {
					e.Msg, e.Fix = fmt.Sprintf("a second phasegate:deferred (the file's header is at line %d)", markLine), "remove this one"
				}
				return h, ok, start, end, e
			}
			off = n
		}
	}
	return h, ok, start, end, nil
}

// containsFold reports whether s contains sub (ASCII), in any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0]|0x20 && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Separate returns src, a deferred migration whose header is the text
// header (Header.Comment's), with a blank line after the header when the
// line below it would read as part of it (a comment "-- note: ..."), so
// that the file parses back to the header it was written with.
func Separate(src, header string) string {
	i := strings.Index(src, header)
	if i < 0 {
		return src
	}
	end := i + len(header)
	below, _, _ := strings.Cut(src[end:], "\n")
	if !headerLine(below).inHeader {
		return src
	}
	return src[:end] + "\n" + src[end:]
}

// Strip returns src without its header.
func Strip(src []byte) []byte {
	_, ok, start, end, _ := parse(src)
	if !ok {
		return src
	}
	return append(src[:start:start], src[end:]...)
}

// liquibaseHeader is the first line of a Liquibase formatted SQL file,
// which stays above the deferral header.
var liquibaseHeader = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^--\s*liquibase\s+formatted\s+sql`) })

// Kind of a release condition.
type Kind int

const (
	AfterRelease Kind = iota
	AfterDeployment
	AfterDate
)

// Condition is a parsed "after".
type Condition struct {
	Kind Kind
	Env  string    // AfterDeployment
	Date time.Time // AfterDate
}

// Condition parses After ("release" when it is empty).
func (h Header) Condition() (Condition, error) {
	if strings.TrimSpace(h.After) == "" {
		return Condition{Kind: AfterRelease}, nil
	}
	return ParseAfter(h.After)
}

// dateLike is a value meant as a date.
var dateLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+-[0-9]+-[0-9]+$`) })

// ParseAfter reads a release condition: the value of a header's after:,
// and of phasegate split --after. It is "release", "deployment ENV" or a
// date YYYY-MM-DD. Its error says what is wrong with the value, not where
// it was written.
func ParseAfter(after string) (Condition, error) {
	after = strings.TrimSpace(after)
	// Any run of spaces or tabs between the words, as the header's
	// reader before this one took it.
	word, env, _ := strings.Cut(strings.Join(strings.Fields(after), " "), " ")
	switch {
	case after == "release":
		return Condition{Kind: AfterRelease}, nil
	case word == "deployment" || after == "deployment":
		if env = strings.TrimSpace(env); env == "" {
			return Condition{}, fmt.Errorf("deployment needs an environment: deployment ENV, e.g. deployment production")
		}
		return Condition{Kind: AfterDeployment, Env: env}, nil
	}
	d, err := time.Parse(time.DateOnly, after)
	switch {
	case err == nil:
		return Condition{Kind: AfterDate, Date: d}, nil
	case dateLike().MatchString(after):
		why := "four digits for the year, two for the month and the day"
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			why = strings.TrimPrefix(pe.Message, ": ")
		}
		return Condition{}, fmt.Errorf("%q is not a date YYYY-MM-DD (%s)", after, why)
	}
	return Condition{}, fmt.Errorf("%q is not release, deployment ENV or a date YYYY-MM-DD%s", after, spell.DidYouMean(word, []string{"release", "deployment"}, "%s"))
}

// String is the condition as a header's after: writes it.
func (c Condition) String() string {
	switch c.Kind {
	case AfterDeployment:
		return "deployment " + c.Env
	case AfterDate:
		return c.Date.Format(time.DateOnly)
	}
	return "release"
}
