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
	"bufio"
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/phasegate/phasegate/internal/source"
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

const (
	mark       = "-- phasegate:deferred"
	pythonMark = "# phasegate:deferred"
)

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

// commentPrefix cuts the comment marker a header line starts with ("--",
// or "#" in Python).
func commentPrefix(line string) (rest string, ok bool) {
	for _, p := range []string{"--", "#"} {
		if r, found := strings.CutPrefix(line, p); found {
			return r, true
		}
	}
	return line, false
}

// Error is a malformed header, at its line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:1: %s", e.Line, e.Msg) }

// Parse reads the header of a deferred migration. ok is false when the
// file has none; a malformed header is an *Error.
func Parse(src []byte) (h Header, ok bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	in := false
	for sc.Scan() {
		line++
		text := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if !in {
			if text == "" || line == 1 && liquibaseHeader().MatchString(text) {
				continue // Liquibase needs its own line first
			}
			if text != mark && text != pythonMark {
				return h, false, nil
			}
			in, ok = true, true
			continue
		}
		rest, c := commentPrefix(text)
		if !c {
			break
		}
		body := strings.TrimSpace(rest)
		key, value, found := strings.Cut(body, ":")
		if !found {
			break
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "after":
			h.After = value
		case "from":
			h.From = value
		case "pr":
			n, err := strconv.Atoi(strings.TrimPrefix(value, "#"))
			if err != nil || n <= 0 {
				return h, ok, &Error{line, fmt.Sprintf("pr: %q is not a pull request number", value)}
			}
			h.PR = n
		case "commit":
			h.Commit = value
		default:
			return h, ok, &Error{line, fmt.Sprintf("unknown header key %q (the keys are after, from, pr, commit)", key)}
		}
	}
	if ok {
		if h.After == "" {
			h.After = "release"
		}
		if _, err := h.Condition(); err != nil {
			return h, ok, &Error{2, err.Error()}
		}
	}
	return h, ok, nil
}

// Strip returns src without its header (the SQL one).
func Strip(src []byte) []byte {
	s := string(src)
	i := strings.Index(s, mark)
	if i < 0 || strings.TrimSpace(s[:i]) != "" && !liquibaseHeader().MatchString(strings.TrimSpace(s[:i])) {
		return src
	}
	before := s[:i]
	rest := s[i+len(mark):]
	lines := strings.SplitAfter(rest, "\n")
	n := 1 // the rest of the mark's line
	for n < len(lines) {
		t := strings.TrimSpace(lines[n])
		if !strings.HasPrefix(t, "--") || !strings.Contains(t, ":") {
			break
		}
		n++
	}
	return []byte(before + strings.Join(lines[n:], ""))
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

// Condition parses After.
func (h Header) Condition() (Condition, error) {
	after := strings.TrimSpace(h.After)
	switch {
	case after == "" || after == "release":
		return Condition{Kind: AfterRelease}, nil
	case strings.HasPrefix(after, "deployment"):
		env := strings.TrimSpace(strings.TrimPrefix(after, "deployment"))
		if env == "" {
			return Condition{}, fmt.Errorf("after: deployment needs an environment, e.g. after: deployment production")
		}
		return Condition{Kind: AfterDeployment, Env: env}, nil
	}
	d, err := time.Parse("2006-01-02", after)
	if err != nil {
		return Condition{}, fmt.Errorf("after: %q is not release, deployment ENV or a date YYYY-MM-DD", after)
	}
	return Condition{Kind: AfterDate, Date: d}, nil
}
