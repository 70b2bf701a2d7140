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
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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

// Error is a malformed header, at its line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:1: %s", e.Line, e.Msg) }

// keys are the header's keys, in the order Comment writes them.
var keys = []string{"after", "from", "pr", "commit"}

// keyLine is a comment line that reads "key: value" ("#" in Python).
var keyLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(?:--|#)\s*([A-Za-z][A-Za-z0-9_-]*)\s*:(.*)$`)
})

// headerLine reads a line below the mark. It is part of the header when
// it is a comment "key: value" whose key is one of keys (in any case), or
// a lower-case word followed by ": " (a misspelt key: key is returned, and
// known is false). Anything else ends the header: the migration's own
// first line, a tool's directive ("-- migrate:up", "-- atlas:txmode none",
// "--changeset ann:2"), a comment ("-- Note: ...").
func headerLine(line string) (key, value string, known, in bool) {
	m := keyLine().FindStringSubmatch(line)
	if m == nil {
		return "", "", false, false
	}
	key, value = m[1], m[2]
	if slices.Contains(keys, strings.ToLower(key)) {
		return strings.ToLower(key), strings.TrimSpace(value), true, true
	}
	if key == strings.ToLower(key) && (value == "" || value[0] == ' ' || value[0] == '\t') {
		return key, strings.TrimSpace(value), false, true
	}
	return "", "", false, false
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
// file has none; a malformed header is an *Error.
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
	for line := 1; off < len(s); line++ {
		next := len(s)
		if i := strings.IndexByte(s[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		text := strings.TrimRight(s[off:next], "\r\n")
		if !ok {
			if t := strings.TrimSpace(text); t == "" || line == 1 && liquibaseHeader().MatchString(t) {
				off = next
				continue // Liquibase needs its own line first
			}
			if !isMark(text) {
				return h, false, 0, 0, nil
			}
			ok, start, end = true, off, next
			off = next
			continue
		}
		key, value, known, in := headerLine(text)
		if !in {
			break
		}
		if !known {
			return h, ok, start, off, &Error{line, fmt.Sprintf("unknown header key %q%s (the keys are %s; a comment below the header needs a blank line above it)",
				key, spell.DidYouMean(key, keys, "%s"), strings.Join(keys, ", "))}
		}
		switch key {
		case "after":
			h.After = value
		case "from":
			h.From = value
		case "pr":
			n, err := strconv.Atoi(strings.TrimPrefix(value, "#"))
			if err != nil || n <= 0 {
				return h, ok, start, off, &Error{line, fmt.Sprintf("pr: %q is not a pull request number", value)}
			}
			h.PR = n
		case "commit":
			h.Commit = value
		}
		off = next
		end = off
	}
	if ok {
		if h.After == "" {
			h.After = "release"
		}
		if _, err := h.Condition(); err != nil {
			return h, ok, start, end, &Error{2, err.Error()}
		}
	}
	return h, ok, start, end, nil
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
	if _, _, _, in := headerLine(below); !in {
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
