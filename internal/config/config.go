// Package config reads phasegate's configuration file
// (.github/phasegate.yml or phasegate.yml at the repository root).
//
// Every key is documented in docs/configuration.md (a test keeps the two
// in step); an unknown key is an error with its line and column, so a typo
// never silently changes nothing.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/spell"
)

// Config is the whole configuration. The zero value is the default.
type Config struct {
	Migrations Migrations        `yaml:"migrations"`
	Postgres   Postgres          `yaml:"postgres"`
	Rules      map[string]string `yaml:"rules"`
	Ignore     []Ignore          `yaml:"ignore"`
	// Previous is the release production runs, whose tests the runtime
	// check runs: merge-base (default), latest-tag, or a revision.
	Previous string   `yaml:"previous"`
	Releases Releases `yaml:"releases"`
	Migrate  Migrate  `yaml:"migrate"`
	Tests    Tests    `yaml:"tests"`
	Followup Followup `yaml:"followup"`
	Stats    Stats    `yaml:"stats"`
	// Suggestions posts the fixes that are a rewrite of the lines under
	// review as one-click suggestions on the pull request (default true).
	Suggestions *bool `yaml:"suggestions"`

	// Path is the file the configuration was read from ("" for defaults).
	Path string `yaml:"-"`
	// positions of rule ids in Rules and Ignore, and of the value of
	// migrations.format, for error messages.
	rulePos   map[string]pos
	formatPos pos
}

// Migrations says where the migrations are.
type Migrations struct {
	// Dir is the migrations directory relative to the repository root;
	// empty means detect it.
	Dir string `yaml:"dir"`
	// Format is the migration tool (see source.Formats); empty or "auto"
	// means detect.
	Format string `yaml:"format"`
	// DeferredDir holds deferred contract migrations, which the migration
	// tool does not apply.
	DeferredDir string `yaml:"deferred_dir"`
	// Python runs an ORM's tooling to render its migrations' SQL (alembic);
	// default python3.
	Python string `yaml:"python"`
	// AlembicConfig is alembic.ini's path; default: the nearest one above
	// the versions directory.
	AlembicConfig string `yaml:"alembic_config"`
	// DjangoSettings is DJANGO_SETTINGS_MODULE for rendering Django's
	// migrations; default: the one manage.py sets.
	DjangoSettings string `yaml:"django_settings"`
	// VersionTable names the table a migrate command records its
	// migrations in, when phasegate does not know it (format capture):
	// "name", "schema.name", optionally with its version column(s),
	// "app_versions(tag)".
	VersionTable string `yaml:"version_table"`
	// TemplateOptions are the values pop's SQL templates read
	// ({{ index .Options "name" }}): the options of the connection pop runs
	// the migrations on in production.
	TemplateOptions map[string]string `yaml:"template_options"`
}

// Postgres describes the target database.
type Postgres struct {
	// Version is the PostgreSQL major version production runs (default 16).
	Version int `yaml:"version"`
	// LockTimeoutSet says the migration tool or database role already sets
	// lock_timeout, so migrations need not.
	LockTimeoutSet bool `yaml:"lock_timeout_set"`
	// Image is the container image of the runtime check (default: the
	// official image of Version, postgres:<version>).
	Image string `yaml:"image"`
	// URL is an existing server to use instead of a container.
	URL string `yaml:"url"`
	// Pull allows pulling Image when it is not present (default true).
	Pull *bool `yaml:"pull"`
}

// Releases says how releases are named.
type Releases struct {
	// TagPattern is the glob release tags match (default v*).
	TagPattern string `yaml:"tag_pattern"`
}

// Followup configures the follow-up bot (phasegate followup).
type Followup struct {
	// MinAge is how long a release or deployment must have been out before
	// its deferred contracts are proposed (Go duration, default 24h).
	MinAge string `yaml:"min_age"`
	// Base is the branch the pull requests target (default: the remote's
	// default branch, else main).
	Base string `yaml:"base"`
	// Reviewers and TeamReviewers are asked to review each pull request.
	Reviewers     []string `yaml:"reviewers"`
	TeamReviewers []string `yaml:"team_reviewers"`
	// Labels go on each pull request (default [phasegate:contract]).
	Labels []string `yaml:"labels"`
	// BranchPrefix names the branches (default phasegate/contract/).
	BranchPrefix string `yaml:"branch_prefix"`
	// Dashboard keeps the contract-debt dashboard issue (default true).
	Dashboard *bool `yaml:"dashboard"`
	// Snooze is how long the dashboard's "snooze" postpones a migration
	// (Go duration, default 168h).
	Snooze string `yaml:"snooze"`
}

// Migrate says how the runtime check applies migrations.
type Migrate struct {
	// Command is the project's own migrate command, run with the database
	// in the environment; empty uses phasegate's built-in runner.
	Command string `yaml:"command"`
	// LockTimeout and StatementTimeout are set on the built-in runner's
	// session (PostgreSQL syntax: 5s, 1min).
	LockTimeout      string `yaml:"lock_timeout"`
	StatementTimeout string `yaml:"statement_timeout"`
}

// Tests says how to run the project's test suite.
type Tests struct {
	// Command runs with sh -c in the version's checkout.
	Command string `yaml:"command"`
	// Env is added to the test command's environment.
	Env map[string]string `yaml:"env"`
	// EnvNames renames the connection variables (DATABASE_URL, PGHOST,
	// PGPORT, PGUSER, PGPASSWORD, PGDATABASE) for projects that read others.
	EnvNames map[string]string `yaml:"env_names"`
	// Timeout bounds each scenario's run (Go duration, default 15m).
	Timeout string `yaml:"timeout"`
	// Scenarios turns runtime scenarios on or off by name (baseline,
	// compat, deploy, contract-ready); every scenario runs by default.
	Scenarios map[string]bool `yaml:"scenarios"`
	// Record runs the compat scenario's suite through phasegate's
	// recording proxy, to report which changed objects the previous
	// release's tests used (default true).
	Record *bool `yaml:"record"`
	// Results says where the suite writes per-test results: go-json (the
	// command prints go test -json) or junit:PATH (a JUnit XML file or
	// glob, relative to the checkout). With it the scenarios are compared
	// test by test; without it the exit status alone judges them.
	Results string `yaml:"results"`
	// Rerun is how many times a scenario's command runs again while some
	// tests fail, with tests.results (default 1; 0 never reruns).
	Rerun *int `yaml:"rerun"`
}

// ScenarioNames are the runtime check's scenarios, in the order they run
// (tests.scenarios keys).
var ScenarioNames = []string{"baseline", "compat", "deploy", "contract-ready"}

// Stats says where production's table sizes are (phasegate stats writes
// them) and how they weigh on locking findings.
type Stats struct {
	// File is the stats file (default .github/phasegate-stats.yml; none
	// there means no sizes).
	File string `yaml:"file"`
	// SmallRows: locking findings on tables with fewer rows are info
	// (default 10000; 0 keeps every severity).
	SmallRows *int64 `yaml:"small_rows"`
}

// DefaultStatsFile is where phasegate looks for production's table sizes.
const DefaultStatsFile = ".github/phasegate-stats.yml"

// Ignore silences rules for files matching a path pattern.
type Ignore struct {
	// Path is a path.Match pattern relative to the repository root, or a
	// directory ending in "/".
	Path  string   `yaml:"path"`
	Rules []string `yaml:"rules"`
}

// Names of the config file, in the order they are looked for.
var Names = []string{".github/phasegate.yml", ".github/phasegate.yaml", "phasegate.yml", "phasegate.yaml"}

type pos struct{ line, col int }

// Error is a problem in the config file, at a position.
type Error struct {
	Path      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
}

// Find loads the config file of the repository at root: the explicit path
// if given (relative to the current directory), else the first of Names
// that exists. No file means the defaults.
func Find(root, explicit string) (*Config, error) {
	if explicit != "" {
		return Load(explicit)
	}
	for _, n := range Names {
		p := filepath.Join(root, filepath.FromSlash(n))
		if _, err := os.Stat(p); err == nil {
			c, err := Load(p)
			if c != nil {
				c.Path = n
			}
			return c, err
		}
	}
	// A name phasegate does not read, in the places it looks: taken for
	// its config, silently ignored, it would leave every setting at its
	// default.
	for _, n := range misnamed {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(n))); err == nil {
			return nil, fmt.Errorf("%s is not read: phasegate reads its config from %s; rename it (or pass --config %s)", n, strings.Join(Names, ", "), n)
		}
	}
	return &Config{}, nil
}

// misnamed are names a config file is likely given by mistake.
var misnamed = []string{".phasegate.yml", ".phasegate.yaml", ".github/.phasegate.yml", ".github/.phasegate.yaml", "phasegate.yml.yml", ".github/phasegate.yml.yml"}

// Load reads one config file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s does not exist", path)
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Parse reads a config from YAML.
func Parse(path string, b []byte) (*Config, error) {
	c := &Config{Path: path}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file: defaults
		}
		return nil, &Error{Path: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return c, nil
	}
	if err := checkKeys(path, doc, reflect.TypeOf(*c), ""); err != nil {
		return nil, err
	}
	if err := doc.Decode(c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			return nil, &Error{Path: path, Msg: strings.Join(te.Errors, "; ")}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	c.Path = path
	c.rulePos = map[string]pos{}
	collectRulePositions(doc, c.rulePos)
	if v := mappingValue(mappingValue(doc, "migrations"), "format"); v != nil {
		c.formatPos = pos{v.Line, v.Column}
		// A format that names none, at load, before anything looks for
		// migrations: whichever command reads the config.
		if f := c.Migrations.Format; f != "" && f != "auto" {
			if _, err := source.Lookup(f); err != nil {
				return nil, c.FormatErrorf("migrations.format: %v (docs/formats.md)", err)
			}
		}
	}
	if err := checkScenarios(path, doc); err != nil {
		return nil, err
	}
	if err := checkDurations(path, doc); err != nil {
		return nil, err
	}
	return c, nil
}

// durations are the keys that hold a Go duration, and whether zero is
// allowed: one place that reads them wrong is an error at load, with its
// position, whichever command reads the config.
var durations = []struct {
	section, key string
	zero         bool
}{
	{"tests", "timeout", false},
	{"followup", "min_age", true},
	{"followup", "snooze", false},
}

// checkDurations rejects a duration key that is not a positive Go
// duration.
func checkDurations(path string, doc *yaml.Node) error {
	for _, d := range durations {
		v := mappingValue(mappingValue(doc, d.section), d.key)
		if v == nil || v.Value == "" {
			continue
		}
		t, err := time.ParseDuration(v.Value)
		if err == nil && (t > 0 || d.zero && t == 0) {
			continue
		}
		return &Error{Path: path, Line: v.Line, Col: v.Column,
			Msg: fmt.Sprintf("%s.%s %q is not a duration: give one such as 15m, 90s or 24h", d.section, d.key, v.Value)}
	}
	return nil
}

// Durations read once: Parse has checked them, so a value that does not
// parse here is one a Config literal holds, and the default stands.

// TestsTimeout is tests.timeout: how long a scenario's suite may run
// (default 15 minutes).
func (c *Config) TestsTimeout() time.Duration { return duration(c.Tests.Timeout, 15*time.Minute) }

// FollowupMinAge is followup.min_age: how long a release or deployment
// must have been out (default 24 hours).
func (c *Config) FollowupMinAge() time.Duration { return duration(c.Followup.MinAge, 24*time.Hour) }

// FollowupSnooze is followup.snooze: how long the dashboard's snooze
// postpones a migration (0: the dashboard's own default).
func (c *Config) FollowupSnooze() time.Duration { return duration(c.Followup.Snooze, 0) }

func duration(v string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(v)
	if v == "" || err != nil || d < 0 {
		return def
	}
	return d
}

// checkScenarios rejects a tests.scenarios key that names no scenario.
func checkScenarios(path string, doc *yaml.Node) error {
	tests := mappingValue(doc, "tests")
	if tests == nil {
		return nil
	}
	sc := mappingValue(tests, "scenarios")
	if sc == nil {
		return nil
	}
	for i := 0; i+1 < len(sc.Content); i += 2 {
		k := sc.Content[i]
		known := false
		for _, n := range ScenarioNames {
			known = known || k.Value == n
		}
		if !known {
			return &Error{Path: path, Line: k.Line, Col: k.Column,
				Msg: fmt.Sprintf("unknown scenario %q in tests.scenarios; the scenarios are %s", k.Value, strings.Join(ScenarioNames, ", "))}
		}
	}
	return nil
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// checkKeys reports a mapping key that names no field of t.
func checkKeys(path string, n *yaml.Node, t reflect.Type, where string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return &Error{Path: path, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("%s must be a mapping of keys", orTop(where))}
		}
		fields := map[string]reflect.StructField{}
		var known []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = f
			known = append(known, tag)
		}
		sort.Strings(known)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				// The nearest keys first, as for a misspelt flag, then
				// every key of the mapping.
				keys := "; the keys are "
				if near := spell.DidYouMean(k.Value, known, "%q"); near != "" {
					keys = near + " The keys are "
				}
				return &Error{Path: path, Line: k.Line, Col: k.Column,
					Msg: fmt.Sprintf("unknown key %q in %s%s%s", k.Value, orTop(where), keys, strings.Join(known, ", "))}
			}
			if err := checkKeys(path, v, f.Type, join(where, k.Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				if err := checkKeys(path, item, t.Elem(), where+"[]"); err != nil {
					return err
				}
			}
		}
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64, reflect.String:
		return checkScalar(path, n, t, where)
	}
	return nil
}

// checkScalar rejects a value that is not the scalar the key holds, with
// its position and key, where the YAML library would say only "line 2:
// cannot unmarshal !!str `sixteen` into int".
func checkScalar(path string, n *yaml.Node, t reflect.Type, where string) error {
	want := map[reflect.Kind]string{
		reflect.Bool: "true or false", reflect.Int: "a whole number", reflect.Int64: "a whole number",
		reflect.Float64: "a number", reflect.String: "a string",
	}[t.Kind()]
	got := ""
	switch {
	case n.Kind == yaml.AliasNode:
		return nil // the value it refers to is checked where it stands
	case n.Kind == yaml.MappingNode:
		got = "a mapping"
	case n.Kind == yaml.SequenceNode:
		got = "a list"
	case n.Tag == "!!null":
		return nil // no value: the default
	default:
		// The YAML library would truncate 15.5 into an int. (It takes yes
		// and no for a bool, as YAML 1.1 did: so does phasegate.)
		tags := map[reflect.Kind]string{reflect.Int: "!!int", reflect.Int64: "!!int"}
		if tag := tags[t.Kind()]; tag == "" || n.ShortTag() == tag {
			if err := n.Decode(reflect.New(t).Interface()); err == nil {
				return nil
			}
		}
		got = strconv.Quote(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			got = "the quoted string " + got + " (write it without quotes)"
		}
	}
	return &Error{Path: path, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("%s must be %s, not %s", orTop(where), want, got)}
}

func orTop(where string) string {
	if where == "" {
		return "the config"
	}
	return where
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// collectRulePositions records where each rule id is written, in rules:
// keys and ignore[].rules items.
func collectRulePositions(doc *yaml.Node, out map[string]pos) {
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch k.Value {
		case "rules":
			for j := 0; j+1 < len(v.Content); j += 2 {
				out[v.Content[j].Value] = pos{v.Content[j].Line, v.Content[j].Column}
			}
		case "ignore":
			for _, item := range v.Content {
				for j := 0; j+1 < len(item.Content); j += 2 {
					if item.Content[j].Value == "rules" {
						for _, r := range item.Content[j+1].Content {
							if _, seen := out[r.Value]; !seen {
								out[r.Value] = pos{r.Line, r.Column}
							}
						}
					}
				}
			}
		}
	}
}

// ErrorAt returns an error at the place the rule id is written in the
// config (for a rule id the caller found invalid).
func (c *Config) ErrorAt(ruleID, msg string) error {
	p := c.rulePos[ruleID]
	return &Error{Path: c.Path, Line: p.line, Col: p.col, Msg: msg}
}

// FormatErrorf returns an error at the place migrations.format is written
// in the config (for a format the caller found wrong).
func (c *Config) FormatErrorf(format string, args ...any) error {
	return &Error{Path: c.Path, Line: c.formatPos.line, Col: c.formatPos.col, Msg: fmt.Sprintf(format, args...)}
}

// FormatPlace says where migrations.format is written: "file:line:col",
// or the file when its place is unknown.
func (c *Config) FormatPlace() string {
	if c.formatPos.line == 0 {
		return c.Path
	}
	return fmt.Sprintf("%s:%d:%d", c.Path, c.formatPos.line, c.formatPos.col)
}
