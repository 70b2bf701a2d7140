package compat

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Implicated returns the changes whose object a failing test output
// mentions the way PostgreSQL's errors do (column "name" does not exist,
// relation "users" does not exist, function f(integer) does not exist,
// invalid input value for enum mood: "sad", ...), or as ORMs print it
// (users.name).
//
// Test output rarely shows the error as PostgreSQL wrote it: go test -json
// and structured loggers put it inside JSON strings, Go's %q and Python's
// repr() escape its quotes, JUnit reports hold it in XML attributes. The
// output is read as written and with those encodings undone. Where the
// output carries the error's SQLSTATE (pgx's "(SQLSTATE 42703)", a
// driver's code field, psycopg's error class), an object it names in
// quotes or in a line of SQL (PostgreSQL's "LINE 1: SELECT ...") is
// implicated too when the SQLSTATE is the one its change causes, even if
// the message itself was cut off.
func Implicated(changes []Change, output string) []Change {
	texts := readings(output)
	codes := sqlStates(texts)
	var out []Change
	for _, c := range changes {
		if mentioned(texts, codes, c) {
			out = append(out, c)
		}
	}
	return out
}

// readings are the output, lower-cased, as written and with its escapes
// undone (JSON strings, Go %q, Python repr, JavaScript, nested up to three
// levels) and its XML/HTML entities decoded.
func readings(output string) []string {
	low := strings.ToLower(output)
	out := []string{low}
	s := low
	for range 3 {
		u := unescape(s)
		if u == s {
			break
		}
		out = append(out, u)
		s = u
	}
	if strings.Contains(low, "&") {
		for _, t := range append([]string(nil), out...) {
			if u := html.UnescapeString(t); u != t {
				out = append(out, u)
			}
		}
	}
	return out
}

// unescape undoes one level of backslash escapes the way JSON, Go, Python
// and JavaScript string literals write them. It works on the whole text,
// so that a literal cut off by the end of the output tail is read too.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		switch next {
		case '"', '\'', '\\', '/', '`':
			b.WriteByte(next)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'u', 'x':
			n := 4
			if next == 'x' {
				n = 2
			}
			if i+2+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+2+n], 16, 32); err == nil {
					r := rune(v)
					if !utf8.ValidRune(r) {
						r = utf8.RuneError
					}
					b.WriteRune(r)
					i += 1 + n
					continue
				}
			}
			b.WriteByte(c)
			b.WriteByte(next)
		default:
			b.WriteByte(c)
			b.WriteByte(next)
		}
		i++
	}
	return b.String()
}

// sqlStatePatterns find the SQLSTATEs drivers and frameworks print: pgx
// "(SQLSTATE 42703)", PHP "SQLSTATE[42703]", Spring "SQL state [42703]",
// JDBC "SQLState: 42703", JSON "code":"42703", node-postgres code: '42703',
// lib/pq's %#v Code:"42703", psycopg's pgcode.
// The patterns are compiled when first used, not at every start-up.
var sqlStatePatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`sql ?state[\s:=\[(]*([0-9a-z]{5})\b`),
		regexp.MustCompile(`"(?:code|sqlstate|pgcode|sql_state)"\s*:\s*"([0-9a-z]{5})"`),
		regexp.MustCompile(`\b(?:code|pgcode|sqlstate)\s*[:=]\s*['"]([0-9a-z]{5})['"]`),
	}
})

// psycopgClasses are psycopg's error classes (psycopg2.errors,
// psycopg.errors), which name the SQLSTATE in tracebacks.
var psycopgClasses = map[string]string{
	"undefinedcolumn": "42703", "undefinedtable": "42p01", "undefinedfunction": "42883",
	"undefinedobject": "42704", "invalidtextrepresentation": "22p02", "notnullviolation": "23502",
	"checkviolation": "23514", "foreignkeyviolation": "23503", "uniqueviolation": "23505",
	"exclusionviolation": "23p01", "stringdatarighttruncation": "22001", "invalidcolumnreference": "42p10",
}

var psycopgClass = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`errors\.([a-z]+)`) })

// sqlStates collects the SQLSTATEs the output carries.
func sqlStates(texts []string) map[string]bool {
	codes := map[string]bool{}
	for _, t := range texts {
		for _, re := range sqlStatePatterns() {
			for _, m := range re.FindAllStringSubmatch(t, -1) {
				if isSQLState(m[1]) {
					codes[m[1]] = true
				}
			}
		}
		for _, m := range psycopgClass().FindAllStringSubmatch(t, -1) {
			if code, ok := psycopgClasses[m[1]]; ok {
				codes[code] = true
			}
		}
	}
	return codes
}

// isSQLState tells a SQLSTATE from a number or a word of five characters:
// a class of two digits or letters, at least one digit.
func isSQLState(s string) bool {
	return len(s) == 5 && strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, func(r rune) bool {
		return (r < '0' || r > '9') && (r < 'a' || r > 'z')
	}) < 0
}

// mentioned reports whether one of the readings of the output mentions
// the object of change c.
func mentioned(texts []string, codes map[string]bool, c Change) bool {
	if len(c.names) == 0 {
		return false
	}
	pats, states := patterns(c)
	for _, t := range texts {
		for _, p := range pats {
			if p.MatchString(t) {
				return true
			}
		}
	}
	for _, code := range states {
		if codes[code] {
			return showsName(texts, strings.ToLower(c.names[0]), c.Kind != "enum label")
		}
	}
	return false
}

// sqlLine finds a line that shows SQL: PostgreSQL's "LINE 1:" context, or a
// query a test printed.
var sqlLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\bline \d+:|\b(select|insert|update|delete)\b.*\b(from|into|set|values|where)\b`)
})

// showsName reports whether an output shows name quoted ("name", 'name')
// or, with inSQL, as a word of a line of SQL: where the message itself was
// cut off, the query it failed on still names the object.
func showsName(texts []string, name string, inSQL bool) bool {
	quoted := regexp.MustCompile(`["'\x60]` + regexp.QuoteMeta(name) + `["'\x60]`)
	word := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	for _, t := range texts {
		if quoted.MatchString(t) {
			return true
		}
		if !inSQL {
			continue
		}
		for _, line := range strings.Split(t, "\n") {
			if sqlLine().MatchString(line) && word.MatchString(line) {
				return true
			}
		}
	}
	return false
}

// patterns are the error texts that name change c's object, and the
// SQLSTATEs of the errors the change causes.
func patterns(c Change) ([]*regexp.Regexp, []string) {
	q := func(i int) string {
		if i < len(c.names) {
			return regexp.QuoteMeta(strings.ToLower(c.names[i]))
		}
		return ""
	}
	name, owner := q(0), q(1)
	var pats []string
	var states []string
	switch {
	case c.Kind == "column" && c.Change == "narrowed":
		// A column made NOT NULL or that lost its default rejects the
		// previous release's inserts; a narrower type, its values.
		pats = append(pats, `null value in column "`+name+`"`)
		states = append(states, "23502")
		if c.newType != "" {
			pats = append(pats, `value too long for type `+regexp.QuoteMeta(strings.ToLower(c.newType))+`($|[^(0-9])`)
		}
	case c.Kind == "column":
		pats = append(pats,
			`column "`+name+`" does not exist`,
			`column "`+name+`" of relation "`+owner+`" does not exist`,
			`column [^\s"]*\.`+name+` does not exist`,
			`column "[^"]*"\."`+name+`" does not exist`,
			`record "(new|old)" has no field "`+name+`"`,
			`\b`+owner+`\.`+name+`\b`,
			`"`+name+`" of relation "`+owner+`"`)
		states = append(states, "42703")
	case c.Kind == "function":
		pats = append(pats,
			`(function|procedure) ([^\s(]+\.)?`+name+`\([^)]*\) does not exist`,
			`\b`+name+`\([^)]*\) does not exist`)
		states = append(states, "42883")
	case c.Kind == "enum label":
		pats = append(pats,
			`invalid input value for enum [^\s:]*:? ?"`+name+`"`,
			`invalid input value for enum `+owner+`: "`+name+`"`)
		states = append(states, "22p02")
	case c.Kind == "unique index":
		// ON CONFLICT that no longer finds its arbiter names no index; ON
		// CONFLICT ON CONSTRAINT names it.
		pats = append(pats,
			`there is no unique or exclusion constraint matching the on conflict specification`,
			`constraint "`+name+`" for table "[^"]*" does not exist`)
		states = append(states, "42p10")
	case c.Kind == "table" && c.Change == "narrowed":
		// A new constraint: the name PostgreSQL gives it in the violation.
		pats = append(pats, `violates (check|foreign key|unique|exclusion|not-null) constraint "`+name+`"`)
		states = append(states, "23514", "23503", "23505", "23p01")
	default: // tables, views, materialized views, sequences
		pats = append(pats,
			`relation "([^"]*\.)?`+name+`" does not exist`,
			`relation `+name+` does not exist`,
			`"`+name+`" does not exist`)
		states = append(states, "42p01")
	}
	out := make([]*regexp.Regexp, len(pats))
	for i, p := range pats {
		out[i] = regexp.MustCompile(p)
	}
	return out, states
}
