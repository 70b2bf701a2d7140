// Command compare-squawk compares phasegate's verdicts with those of squawk
// 2.66.0, the migration linter PostgreSQL teams would otherwise pick, on
// every forward migration of the shared corpora of real migration histories.
//
//	cd tools/compare-squawk && go run . [-corpora DIR] [-squawk BIN] [-mode history|standalone|fresh] [-examples N]
//
// For each corpus it runs squawk (JSON reporter, --pg-version 16.0: the
// target phasegate assumes by default) on every forward migration file, runs
// phasegate's checker in-process on the same files, maps every squawk finding
// to the statement that holds it (by file and byte offset; a statement is
// named by its file and start line), and prints per corpus and in total:
// statements judged, statements squawk flags for a breaking change or a
// lock/rewrite hazard, how many of those phasegate also reports, and every
// disagreement in both directions, grouped by squawk rule and by phasegate
// rule, each put in a class that says why the two differ and where
// phasegate documents it (docs/rules.md, from the rules' Notes); a
// disagreement no class explains is listed as UNEXPLAINED.
//
// The corpora are found through -corpora, else $PHASEGATE_CORPORA, else
// ../shared/corpora relative to the repository root; every subdirectory is a
// corpus (Temporal's holds two histories, temporal/ and visibility/, each
// its own database). squawk is found through -squawk, else $SQUAWK, else a
// previous install in the cache directory, else "squawk" on PATH when it is
// version 2.66.0; failing all of those, the program installs
// squawk-cli@2.66.0 with npm into the cache directory
// (os.UserCacheDir()/phasegate/squawk-2.66.0) and says so on stderr.
//
// # What is compared
//
// squawk sees each file on its own. It is given the configuration a user of
// the file's migration tool would give it: --assume-in-transaction for files
// the tool runs inside one transaction (goose, Flyway, Diesel, pop, and the
// implicit transaction of golang-migrate's and Prisma's multi-statement
// query), so that it knows tables the file creates are empty; no such flag
// for files run without one (the plain, psql-style directories, goose NO
// TRANSACTION) or holding one statement. Only its default rules run; an
// empty config file keeps any .squawk.toml out. squawk findings in a goose
// or dbmate down section are dropped.
//
// phasegate runs with every rule on (rules that are off by default report at
// info) and, in the default -mode history, judges each file as the change
// that added it: the earlier files of the same history are replayed as the
// schema production has, and what the file itself creates is new. That is
// what phasegate check does on the pull request that adds the migration, and
// the only mode in which a statement on a table created two years earlier
// counts as touching a populated table, as it did when it was deployed. It
// is also fair to squawk: objects the file itself creates are new to both.
// -mode standalone judges each file against an empty schema (everything the
// file does not create exists, with unknown types: what squawk knows);
// -mode fresh judges the whole history as one change (phasegate classify
// DIR: every object the history creates is new), which describes a fresh
// install, not a deploy, and is shown for reference only.
//
// "phasegate also reports" a statement squawk flags when phasegate makes it
// contract or unknown, or gives it a locking finding other than the timeout
// rules (which fire on nearly every DDL statement and would make the
// agreement meaningless), or gives it a finding of a phasegate rule the
// table below pairs with the squawk rule (an advisory finding such as
// drop-not-null counts: phasegate reports it). "same concern" is stricter:
// for every breaking or hazard rule squawk raises on the statement,
// phasegate reports a paired rule.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

const (
	squawkVersion = "2.66.0"
	pgVersion     = 16
)

// Category of a squawk rule in this comparison.
const (
	breaking    = "breaking"    // breaks the previous release (drops, renames, new required fields)
	hazard      = "hazard"      // a lock or rewrite hazard
	correctness = "correctness" // the migration fails or misbehaves; not a hazard to the running application
	timeout     = "timeout"     // session settings: fires on nearly every DDL statement
	style       = "style"       // schema design advice
	notAtPG16   = "pg19"        // fires only with --pg-version 19 or later
	parser      = "parser"      // squawk's own parser disagrees with PostgreSQL's
)

// mapping pairs a squawk rule with the phasegate rules that report the same
// concern. Only breaking and hazard rules count towards the agreement; the
// others are compared in a table of their own, with the reason they are
// left out.
type mapping struct {
	Category  string
	Phasegate []string
	Reason    string
}

// squawkRules is every rule squawk 2.66.0 runs by default (and the opt-in
// ones, in case a config enables them).
var squawkRules = map[string]mapping{
	// Breaking changes.
	"ban-drop-column":       {breaking, []string{"drop-column"}, ""},
	"ban-drop-table":        {breaking, []string{"drop-table"}, ""},
	"ban-drop-database":     {breaking, []string{"drop-database"}, ""},
	"renaming-column":       {breaking, []string{"rename-column"}, ""},
	"renaming-table":        {breaking, []string{"rename-table"}, ""},
	"adding-required-field": {breaking, []string{"add-required-column"}, ""},
	"ban-drop-not-null":     {breaking, []string{"drop-not-null"}, "phasegate reports it as advisory (info): the previous release keeps writing non-null values"},
	"ban-truncate-cascade":  {breaking, []string{"truncate-cascade", "truncate-table"}, ""},
	// changing-column-type is both: squawk's message names the rewrite and
	// the clients that may break.
	"changing-column-type": {breaking, []string{"change-column-type", "alter-column-type-rewrite"}, ""},

	// Lock and rewrite hazards.
	"adding-field-with-default":            {hazard, []string{"add-column-volatile-default", "add-column-rewrite"}, ""},
	"adding-foreign-key-constraint":        {hazard, []string{"add-foreign-key-validated"}, ""},
	"adding-not-nullable-field":            {hazard, []string{"set-not-null-scan", "set-not-null"}, ""},
	"adding-serial-primary-key-field":      {hazard, []string{"add-unique-constraint"}, ""},
	"constraint-missing-not-valid":         {hazard, []string{"add-check-validated", "add-foreign-key-validated", "add-unique-constraint", "add-exclusion-constraint", "validate-in-same-transaction"}, ""},
	"disallowed-unique-constraint":         {hazard, []string{"add-unique-constraint"}, ""},
	"require-concurrent-index-creation":    {hazard, []string{"create-index-non-concurrently"}, ""},
	"require-concurrent-index-deletion":    {hazard, []string{"drop-index-non-concurrently"}, ""},
	"require-concurrent-partition-detach":  {hazard, []string{"detach-partition-non-concurrently"}, ""},
	"require-concurrent-reindex":           {hazard, []string{"reindex-non-concurrently"}, ""},
	"ban-alter-domain-with-add-constraint": {hazard, []string{"domain-constraint"}, ""},
	"ban-create-domain-with-constraint":    {hazard, []string{"domain-constraint"}, ""},

	// Left out of the agreement, each with its reason.
	"prefer-repack": {notAtPG16, []string{"vacuum-full", "cluster"},
		"squawk fires it only from --pg-version 19 (REPACK); at 16 phasegate's vacuum-full and cluster stand alone"},
	"ban-concurrent-index-creation-in-transaction": {correctness, []string{"concurrently-in-transaction"},
		"the migration fails; no hazard to the running application"},
	"transaction-nesting":         {correctness, []string{"transaction-nesting"}, "BEGIN/COMMIT inside the tool's transaction: a correctness problem, not a hazard"},
	"ban-uncommitted-transaction": {correctness, []string{"uncommitted-transaction"}, "a correctness problem, not a hazard"},
	"ban-duplicate-column-assignments": {correctness, nil,
		"PostgreSQL itself rejects the statement (multiple assignments to same column / column specified more than once), so the migration fails before anything is locked"},
	"require-lock-timeout": {timeout, []string{"missing-lock-timeout"},
		"a session setting, not a property of the statement: squawk asks for it before every DDL statement but CREATE TABLE without a foreign key (also COMMENT ON, and statements on tables the file creates); phasegate before locks that block reads or writes on existing tables, and not at all with postgres.lock_timeout_set"},
	"require-statement-timeout": {timeout, []string{"missing-statement-timeout"},
		"a session setting (phasegate's rule is off by default)"},
	"require-timeout-settings": {timeout, []string{"missing-lock-timeout", "missing-statement-timeout"}, "alias of the two timeout rules"},
	"prefer-robust-stmts": {style, []string{"prefer-robust-stmts"},
		"re-runnability (IF [NOT] EXISTS), not safety; phasegate's rule is off by default and fires only outside a transaction"},
	"prefer-bigint-over-int":      {style, []string{"prefer-bigint"}, "schema design advice"},
	"prefer-bigint-over-smallint": {style, []string{"prefer-bigint"}, "schema design advice"},
	"prefer-identity":             {style, []string{"prefer-identity"}, "schema design advice"},
	"prefer-text-field":           {style, []string{"prefer-text"}, "schema design advice"},
	"ban-char-field":              {style, []string{"prefer-text"}, "schema design advice"},
	"prefer-timestamp-tz":         {style, []string{"prefer-timestamptz"}, "schema design advice"},
	"identifier-too-long":         {style, []string{"identifier-too-long"}, "PostgreSQL truncates the name; a correctness problem, not a hazard"},
	"require-enum-value-ordering": {style, nil, "where a new enum value sorts is a design choice; no lock or compatibility effect (ADD VALUE is catalog-only)"},
	"require-table-schema":        {style, nil, "opt-in naming style"},
	"syntax-error":                {parser, nil, "squawk's own parser rejects SQL that PostgreSQL's parser (which phasegate uses) accepts; squawk then reports nothing else for the file"},
}

// timeoutRules are phasegate's locking rules that do not count as a
// hazard finding (see the package comment).
var timeoutRules = map[string]bool{"missing-lock-timeout": true, "missing-statement-timeout": true, "lock-disagreement": true}

func headline(cat string) bool { return cat == breaking || cat == hazard }

type violation struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Level    string `json:"level"`
	Message  string `json:"message"`
	RuleName string `json:"rule_name"`
}

// stmt is one forward statement with both verdicts.
type stmt struct {
	corpus, file string // file is relative to the corpora root
	line         int
	sql          string
	phase        checker.Phase
	rules        []string // phasegate findings' rule ids
	squawk       []string // squawk rule names, deduplicated, in order
	facts        facts    // what the schema and the file say about its target
}

func (s *stmt) hasPG(ids ...string) bool {
	for _, r := range s.rules {
		for _, id := range ids {
			if r == id {
				return true
			}
		}
	}
	return false
}

// pgFlags reports whether phasegate flags the statement as breaking or
// hazardous by itself: contract/unknown, or a locking finding.
func (s *stmt) pgFlags() bool {
	if s.phase != checker.Expand {
		return true
	}
	return len(s.pgHazards()) > 0
}

// pgHazards are the statement's locking findings, timeouts left out.
func (s *stmt) pgHazards() []string {
	var out []string
	for _, r := range s.rules {
		if rr := checker.Lookup(r); rr != nil && rr.Category == checker.Locking && !timeoutRules[r] {
			out = append(out, r)
		}
	}
	return out
}

// pgReasons are the rules that make pgFlags true.
func (s *stmt) pgReasons() []string {
	var out []string
	for _, r := range s.rules {
		rr := checker.Lookup(r)
		if rr == nil {
			continue
		}
		if rr.Category == checker.Compatibility && rr.Phase != checker.Expand || rr.Category == checker.Locking && !timeoutRules[r] {
			out = appendUnique(out, r)
		}
	}
	return out
}

func (s *stmt) squawkHeadline() []string {
	var out []string
	for _, r := range s.squawk {
		if headline(squawkRules[r].Category) {
			out = append(out, r)
		}
	}
	return out
}

// alsoReports says whether phasegate reports a statement squawk flags.
func (s *stmt) alsoReports() bool {
	if s.pgFlags() {
		return true
	}
	for _, r := range s.squawkHeadline() {
		if s.hasPG(squawkRules[r].Phasegate...) {
			return true
		}
	}
	return false
}

type corpusResult struct {
	name, format   string
	dirs           []string
	files, skipped int
	stmts          []*stmt
	parseErrors    []string // phasegate could not parse
	squawkSyntax   map[string]bool
	outside        int // squawk findings outside the forward SQL (goose/dbmate down sections)
	unmatched      int
	unknownRules   map[string]int
}

func main() {
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "compare-squawk: "+format+"\n", args...) }
	corporaFlag := flag.String("corpora", "", "directory of the corpora (default $PHASEGATE_CORPORA, else ../shared/corpora relative to the repository root)")
	squawkFlag := flag.String("squawk", "", "squawk 2.66.0 binary (default $SQUAWK, else the cache, else squawk on PATH, else installed with npm into the cache)")
	mode := flag.String("mode", "history", "how phasegate sees each file: history (earlier files of the corpus are production), standalone (each file alone), fresh (the whole corpus as one change)")
	examples := flag.Int("examples", 0, "list at most N statements per disagreement group (0: all)")
	flag.Parse()
	if *mode != "history" && *mode != "standalone" && *mode != "fresh" {
		log("-mode must be history, standalone or fresh")
		os.Exit(2)
	}
	root, err := corporaDir(*corporaFlag)
	if err != nil {
		log("%v", err)
		os.Exit(2)
	}
	bin, err := findSquawk(*squawkFlag, log)
	if err != nil {
		log("%v", err)
		os.Exit(2)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		log("%v", err)
		os.Exit(2)
	}
	var results []*corpusResult
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		r, err := runCorpus(root, e.Name(), bin, *mode)
		if err != nil {
			log("%s: %v", e.Name(), err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	report(os.Stdout, root, bin, *mode, results, *examples)
}

// corporaDir finds the corpora: the flag, $PHASEGATE_CORPORA, or
// ../shared/corpora relative to the repository root.
func corporaDir(flagValue string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv("PHASEGATE_CORPORA")
	}
	if dir == "" {
		repo, err := repoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(repo, "..", "shared", "corpora")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("corpora: %w (give -corpora DIR or set PHASEGATE_CORPORA)", err)
	}
	return abs, nil
}

// repoRoot walks up from the working directory to phasegate's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/phasegate/phasegate")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the phasegate repository; give -corpora DIR or set PHASEGATE_CORPORA")
		}
		dir = parent
	}
}

// findSquawk returns the squawk binary to run, installing squawk-cli with
// npm into the cache directory when none is found.
func findSquawk(flagValue string, log func(string, ...any)) (string, error) {
	check := func(bin, from string) (string, error) {
		out, err := exec.Command(bin, "--version").Output()
		if err != nil {
			return "", fmt.Errorf("%s (%s): %v", bin, from, err)
		}
		if v := strings.TrimSpace(string(out)); v != "squawk "+squawkVersion {
			log("warning: %s (%s) is %q, not squawk %s; the numbers in README.md are for %s", bin, from, v, squawkVersion, squawkVersion)
		}
		return bin, nil
	}
	if flagValue != "" {
		return check(flagValue, "-squawk")
	}
	if env := os.Getenv("SQUAWK"); env != "" {
		return check(env, "$SQUAWK")
	}
	cacheBase, err := os.UserCacheDir()
	if err != nil {
		cacheBase = os.TempDir()
	}
	cache := filepath.Join(cacheBase, "phasegate", "squawk-"+squawkVersion)
	if bin := installedSquawk(cache); bin != "" {
		return check(bin, "cache")
	}
	if bin, err := exec.LookPath("squawk"); err == nil {
		if out, err := exec.Command(bin, "--version").Output(); err == nil && strings.TrimSpace(string(out)) == "squawk "+squawkVersion {
			return bin, nil
		}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("squawk %s not found (no -squawk, no $SQUAWK, nothing in %s, none on PATH) and npm is not installed to fetch it: install it with `npm install --prefix DIR squawk-cli@%s` and pass -squawk DIR/node_modules/.bin/squawk", squawkVersion, cache, squawkVersion)
	}
	log("squawk %s not found (no -squawk, no $SQUAWK, nothing in %s, none on PATH)", squawkVersion, cache)
	log("installing it from the npm registry: %s install --prefix %s squawk-cli@%s", npm, cache, squawkVersion)
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", cache, "squawk-cli@"+squawkVersion)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm install squawk-cli@%s: %v", squawkVersion, err)
	}
	bin := installedSquawk(cache)
	if bin == "" {
		return "", fmt.Errorf("npm installed squawk-cli@%s into %s but no squawk binary for %s/%s is there", squawkVersion, cache, runtime.GOOS, runtime.GOARCH)
	}
	log("installed %s", bin)
	return check(bin, "just installed")
}

// installedSquawk returns the squawk binary of an npm install in dir: the
// platform package's native binary (no node needed), else npm's shim.
func installedSquawk(dir string) string {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	osName := map[string]string{"windows": "win32"}[runtime.GOOS]
	if osName == "" {
		osName = runtime.GOOS
	}
	exe := "squawk"
	if runtime.GOOS == "windows" {
		exe = "squawk.exe"
	}
	for _, p := range []string{
		filepath.Join(dir, "node_modules", "@squawk-cli", osName+"-"+arch, "bin", exe),
		filepath.Join(dir, "node_modules", ".bin", "squawk"),
	} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// fileRec is one forward migration file.
type fileRec struct {
	rel     string // relative to the corpora root
	abs     string
	src     []byte
	regions []sqltext.Region
	inTx    bool
	parsed  *sqltext.File
	stmts   []*stmt // aligned with parsed.Statements
}

func runCorpus(root, name, bin, mode string) (*corpusResult, error) {
	dir := filepath.Join(root, name)
	fsys := os.DirFS(dir)
	var all []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			all = append(all, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cands, err := histories(fsys, all)
	if err != nil {
		return nil, err
	}
	res := &corpusResult{name: name, squawkSyntax: map[string]bool{}, unknownRules: map[string]int{}}
	var files []*fileRec
	for _, cand := range cands {
		res.format = cand.Format.Name()
		res.dirs = append(res.dirs, cand.Dir)
		hf, err := runHistory(res, dir, fsys, cand, mode)
		if err != nil {
			return nil, err
		}
		files = append(files, hf...)
	}

	return res, runSquawkOn(res, files, bin)
}

// histories finds the migration histories of a corpus: one directory, or
// (Temporal) several sibling histories, each in versioned subdirectories,
// each its own database.
func histories(fsys fs.FS, all []string) ([]lint.Candidate, error) {
	cands := lint.Discover(fsys, all)
	if c, err := lint.Choose(cands); err == nil {
		return []lint.Candidate{c}, nil
	} else if len(cands) == 0 {
		return nil, err
	}
	seen := map[string]bool{}
	var out []lint.Candidate
	for _, c := range cands {
		parent := path.Dir(c.Dir)
		if parent == "." || !c.Format.Detect(fsys, parent) {
			return nil, fmt.Errorf("several migration directories: %v", cands)
		}
		if !seen[parent] {
			seen[parent] = true
			out = append(out, lint.Candidate{Dir: parent, Format: c.Format})
		}
	}
	return out, nil
}

// runHistory judges one migration history with phasegate.
func runHistory(res *corpusResult, dir string, fsys fs.FS, cand lint.Candidate, mode string) ([]*fileRec, error) {
	ms, err := cand.Format.List(fsys, cand.Dir)
	if err != nil {
		return nil, err
	}
	name := res.name
	opts := checker.Options{Version: pgVersion, Severity: map[string]checker.Severity{}}
	for _, r := range checker.Rules() {
		if r.Severity == checker.Off {
			opts.Severity[r.ID] = checker.Info
		}
	}
	cat := schema.New()
	var files []*fileRec
	for _, m := range ms {
		if m.Skip != "" {
			res.skipped++
			continue
		}
		res.files++
		fr := &fileRec{rel: filepath.ToSlash(filepath.Join(name, m.Path)), abs: filepath.Join(dir, filepath.FromSlash(m.Path))}
		files = append(files, fr)
		if fr.src, err = os.ReadFile(fr.abs); err != nil {
			return nil, err
		}
		script, err := cand.Format.Script(m, fr.src)
		if err != nil {
			res.parseErrors = append(res.parseErrors, fmt.Sprintf("%s: %v", fr.rel, err))
			continue
		}
		fr.regions = script.Regions
		f, err := sqltext.Parse(fr.src, sqltext.Options{Regions: script.Regions})
		if err != nil {
			res.parseErrors = append(res.parseErrors, fmt.Sprintf("%s: %v", fr.rel, err))
			fr.inTx = script.Tx != source.TxNone
			continue
		}
		fr.parsed = f
		fr.inTx, _ = checker.FileTransaction(script.Tx, f.Statements)
		if mode == "standalone" {
			cat = schema.New()
		}
		fs := gatherFacts(cat, f.Statements)
		m.Path = fr.rel
		out := checker.New(cat, opts).File(checker.Input{Migration: m, Tx: script.Tx, File: f})
		if len(out.Statements) != len(f.Statements) {
			return nil, fmt.Errorf("%s: %d statements judged of %d", fr.rel, len(out.Statements), len(f.Statements))
		}
		for i, sr := range out.Statements {
			s := &stmt{corpus: name, file: fr.rel, line: sr.Pos.Line, sql: oneLine(f.Statements[i].Text), phase: sr.Phase}
			for _, fd := range sr.Findings {
				s.rules = appendUnique(s.rules, fd.Rule.ID)
			}
			s.facts = fs[i]
			fr.stmts = append(fr.stmts, s)
			res.stmts = append(res.stmts, s)
		}
		if mode == "history" {
			cat.Settle() // the file just judged has been deployed before the next one is written
		}
	}
	return files, nil
}

// runSquawkOn runs squawk on a corpus's files and attaches its findings to
// their statements.
func runSquawkOn(res *corpusResult, files []*fileRec, bin string) error {
	// squawk, in two runs: files the tool runs in one transaction, and the others.
	byAbs := map[string]*fileRec{}
	var inTx, noTx []string
	for _, f := range files {
		byAbs[f.abs] = f
		if f.inTx {
			inTx = append(inTx, f.abs)
		} else {
			noTx = append(noTx, f.abs)
		}
	}
	for _, group := range []struct {
		files []string
		tx    bool
	}{{inTx, true}, {noTx, false}} {
		if len(group.files) == 0 {
			continue
		}
		vs, err := runSquawk(bin, group.files, group.tx)
		if err != nil {
			return err
		}
		for _, v := range vs {
			f := byAbs[v.File]
			if f == nil {
				return fmt.Errorf("squawk reported on a file it was not given: %s", v.File)
			}
			if _, known := squawkRules[v.RuleName]; !known {
				res.unknownRules[v.RuleName]++
			}
			if v.RuleName == "syntax-error" {
				res.squawkSyntax[f.rel] = true
				continue
			}
			off := offset(f.src, v.Line, v.Column)
			if f.regions != nil && !inRegions(f.regions, off) {
				res.outside++
				continue
			}
			if f.parsed == nil || len(f.parsed.Statements) == 0 {
				res.unmatched++
				continue
			}
			st := f.parsed.Statements
			i := sort.Search(len(st), func(i int) bool { return st[i].Start > off }) - 1
			if i < 0 {
				i = 0
			}
			f.stmts[i].squawk = appendUnique(f.stmts[i].squawk, v.RuleName)
		}
	}
	return nil
}

// runSquawk runs squawk with its JSON reporter on files.
func runSquawk(bin string, files []string, inTx bool) ([]violation, error) {
	tmp, err := os.MkdirTemp("", "compare-squawk")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// An empty config, so that no .squawk.toml above the working directory applies.
	cfg := filepath.Join(tmp, "squawk.toml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		return nil, err
	}
	args := squawkArgs(inTx)
	args = append([]string{"-c", cfg}, args...)
	cmd := exec.Command(bin, append(args, files...)...)
	cmd.Dir = tmp
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, fmt.Errorf("squawk: %v: %s", err, stderr.String())
	}
	var vs []violation
	if err := json.Unmarshal(stdout.Bytes(), &vs); err != nil {
		return nil, fmt.Errorf("squawk output is not its JSON report (%v): %.300s %s", err, stdout.String(), stderr.String())
	}
	return vs, nil
}

func squawkArgs(inTx bool) []string {
	args := []string{"--reporter=json", fmt.Sprintf("--pg-version=%d.0", pgVersion)}
	if inTx {
		args = append(args, "--assume-in-transaction")
	}
	return args
}

// offset converts squawk's 0-based line and 0-based byte column into a
// byte offset of src.
func offset(src []byte, line, col int) int {
	off := 0
	for l := 0; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return min(off+col, len(src))
}

func inRegions(rs []sqltext.Region, off int) bool {
	for _, r := range rs {
		if off >= r.Start && off < r.End {
			return true
		}
	}
	return false
}

// facts are what the schema before a file, and the file's earlier
// statements, say about a statement's target: the facts the disagreements
// turn on. They are gathered before the file is judged.
type facts struct {
	createdBy     string   // "CREATE TABLE" or "CREATE TABLE AS": the relation was created earlier in the same file
	indexExists   string   // CREATE INDEX IF NOT EXISTS of an index an earlier migration created: where
	addedInFile   []string // columns an earlier statement of the file added
	typeBefore    []string // "col was type" for ALTER COLUMN ... TYPE of a known column
	notNullBefore []string // SET NOT NULL of a column that already is NOT NULL
	missingColumn []string // DROP COLUMN IF EXISTS of a column the (complete) table does not have
	missingIndex  []string // DROP INDEX IF EXISTS of an index a fully replayed schema does not have
	fkNoDefault   bool     // ADD COLUMN ... REFERENCES without a DEFAULT clause
	negDefault    bool     // ADD COLUMN ... DEFAULT -<number>
	addColCheck   bool     // ADD COLUMN ... CHECK
	doBlock       bool
}

func (f facts) String() string {
	var hs []string
	if f.createdBy != "" {
		hs = append(hs, "relation created earlier in the same file by "+f.createdBy)
	}
	if f.indexExists != "" {
		hs = append(hs, "IF NOT EXISTS: the index exists already, from "+f.indexExists)
	}
	for _, c := range f.addedInFile {
		hs = append(hs, "column "+c+" added earlier in the same file")
	}
	hs = append(hs, f.typeBefore...)
	for _, c := range f.notNullBefore {
		hs = append(hs, c+" is NOT NULL already")
	}
	for _, c := range f.missingColumn {
		hs = append(hs, "IF EXISTS: the table has no column "+c)
	}
	for _, ix := range f.missingIndex {
		hs = append(hs, "IF EXISTS: the schema has no index "+ix)
	}
	if f.fkNoDefault {
		hs = append(hs, "REFERENCES on a column added without DEFAULT")
	}
	if f.negDefault {
		hs = append(hs, "constant negative default")
	}
	return strings.Join(hs, "; ")
}

// gatherFacts computes the facts of every statement of a file against
// cat, the schema before the file.
func gatherFacts(cat *schema.Catalog, stmts []*sqltext.Statement) []facts {
	out := make([]facts, len(stmts))
	for i, s := range stmts {
		f := &out[i]
		earlier := stmts[:i]
		f.doBlock = s.Node.GetDoStmt() != nil
		if rv := targetRelation(s.Node); rv != nil {
			existed := cat.Tables[cat.Resolve(&pg.RangeVar{Schemaname: rv.Schemaname, Relname: rv.Relname})] != nil
			f.createdBy = createdInFile(earlier, rv.Relname, existed)
		}
		if ix := s.Node.GetIndexStmt(); ix != nil && ix.IfNotExists && ix.Idxname != "" {
			q := cat.Resolve(ix.Relation)
			if old := cat.Indexes[schema.QName{Schema: q.Schema, Name: ix.Idxname}]; old != nil {
				f.indexExists = old.Origin.Where()
			}
		}
		if d := s.Node.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX && d.MissingOk {
			for _, o := range d.Objects {
				q := cat.ResolveNames(schema.ObjectNames(o))
				if cat.Indexes[q] == nil && cat.IndexesKnown(q.Schema) && !droppedOrCreatedInFile(earlier, q.Name) {
					f.missingIndex = append(f.missingIndex, q.Name)
				}
			}
		}
		at := s.Node.GetAlterTableStmt()
		if at == nil {
			continue
		}
		// The table and column names before renames earlier in the file.
		tableName, colName := renamesInFile(earlier, at.Relation.GetRelname())
		t := cat.Tables[cat.Resolve(&pg.RangeVar{Schemaname: at.Relation.GetSchemaname(), Relname: tableName})]
		for _, n := range at.Cmds {
			cmd := n.GetAlterTableCmd()
			if cmd == nil {
				continue
			}
			if def := cmd.Def.GetColumnDef(); cmd.Subtype == pg.AlterTableType_AT_AddColumn && def != nil {
				columnFacts(f, def)
				continue
			}
			if cmd.Name == "" {
				continue
			}
			if addedInFile(earlier, at.Relation.GetRelname(), cmd.Name) {
				f.addedInFile = append(f.addedInFile, cmd.Name)
				continue
			}
			var col *schema.Column
			if t != nil {
				col = t.Column(colName(cmd.Name))
			}
			switch {
			case cmd.Subtype == pg.AlterTableType_AT_AlterColumnType && col != nil:
				f.typeBefore = append(f.typeBefore, fmt.Sprintf("%s was %s", cmd.Name, col.Type))
			case cmd.Subtype == pg.AlterTableType_AT_SetNotNull && col != nil && col.NotNull:
				f.notNullBefore = append(f.notNullBefore, cmd.Name)
			case cmd.Subtype == pg.AlterTableType_AT_DropColumn && cmd.MissingOk && t != nil && col == nil && !t.Incomplete:
				f.missingColumn = append(f.missingColumn, cmd.Name)
			}
		}
	}
	return out
}

// columnFacts records what an added column's definition says.
func columnFacts(f *facts, def *pg.ColumnDef) {
	hasDefault, fk := def.RawDefault != nil, false
	for _, n := range def.Constraints {
		con := n.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_DEFAULT:
			hasDefault = true
			// PostgreSQL's grammar folds the minus sign into the constant.
			if c := con.RawExpr.GetAConst(); c != nil && (c.GetIval().GetIval() < 0 || strings.HasPrefix(c.GetFval().GetFval(), "-")) {
				f.negDefault = true
			}
		case pg.ConstrType_CONSTR_GENERATED:
			hasDefault = true
		case pg.ConstrType_CONSTR_FOREIGN:
			fk = true
		case pg.ConstrType_CONSTR_CHECK:
			f.addColCheck = true
		}
	}
	if fk && !hasDefault {
		f.fkNoDefault = true
	}
}

// createdInFile says how an earlier statement of the file created relation
// name: "CREATE TABLE", "CREATE TABLE AS", or "". existed says the schema
// before the file has it: then CREATE ... IF NOT EXISTS creates nothing
// unless the file dropped it first, and a rename of an existing table does
// not make it new either.
func createdInFile(earlier []*sqltext.Statement, name string, existed bool) string {
	how := ""
	for _, s := range earlier {
		n := s.Node
		switch {
		case n.GetCreateStmt() != nil && strings.EqualFold(n.GetCreateStmt().Relation.GetRelname(), name):
			if !existed || !n.GetCreateStmt().IfNotExists {
				how, existed = "CREATE TABLE", true
			}
		case n.GetCreateTableAsStmt() != nil && strings.EqualFold(n.GetCreateTableAsStmt().GetInto().GetRel().GetRelname(), name):
			if !existed || !n.GetCreateTableAsStmt().IfNotExists {
				how, existed = "CREATE TABLE AS", true
			}
		case n.GetRenameStmt() != nil && n.GetRenameStmt().RenameType == pg.ObjectType_OBJECT_TABLE && strings.EqualFold(n.GetRenameStmt().Newname, name):
			how, existed = "", true
		case n.GetDropStmt() != nil && (n.GetDropStmt().RemoveType == pg.ObjectType_OBJECT_TABLE || n.GetDropStmt().RemoveType == pg.ObjectType_OBJECT_MATVIEW):
			for _, o := range n.GetDropStmt().Objects {
				if names := schema.ObjectNames(o); len(names) > 0 && strings.EqualFold(names[len(names)-1], name) {
					how, existed = "", false
				}
			}
		}
	}
	return how
}

// renamesInFile follows the table and column renames of the earlier
// statements back: the table's name before the file, and a function that
// maps a column's current name to its name before the file.
func renamesInFile(earlier []*sqltext.Statement, table string) (string, func(string) string) {
	cols := map[string]string{} // current -> before
	for i := len(earlier) - 1; i >= 0; i-- {
		r := earlier[i].Node.GetRenameStmt()
		if r == nil || r.Relation == nil {
			continue
		}
		switch {
		case r.RenameType == pg.ObjectType_OBJECT_TABLE && r.Newname == table:
			table = r.Relation.Relname
		case r.RenameType == pg.ObjectType_OBJECT_COLUMN && r.Relation.Relname == table:
			cur := r.Newname
			for k, v := range cols {
				if v == r.Newname {
					cur = k
				}
			}
			cols[cur] = r.Subname
		}
	}
	return table, func(c string) string {
		if b, ok := cols[c]; ok {
			return b
		}
		return c
	}
}

// addedInFile says whether an earlier statement of the file added column
// col to table rel.
func addedInFile(earlier []*sqltext.Statement, rel, col string) bool {
	for _, s := range earlier {
		at := s.Node.GetAlterTableStmt()
		if at == nil || !strings.EqualFold(at.Relation.GetRelname(), rel) {
			continue
		}
		for _, n := range at.Cmds {
			if cmd := n.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_AddColumn && cmd.Def.GetColumnDef().GetColname() == col {
				return true
			}
		}
	}
	return false
}

func targetRelation(n *pg.Node) *pg.RangeVar {
	switch {
	case n.GetAlterTableStmt() != nil:
		return n.GetAlterTableStmt().Relation
	case n.GetIndexStmt() != nil:
		return n.GetIndexStmt().Relation
	case n.GetRenameStmt() != nil && n.GetRenameStmt().Relation != nil:
		return n.GetRenameStmt().Relation
	case n.GetDropStmt() != nil && n.GetDropStmt().RemoveType == pg.ObjectType_OBJECT_TABLE && len(n.GetDropStmt().Objects) > 0:
		if names := schema.ObjectNames(n.GetDropStmt().Objects[0]); len(names) > 0 {
			return &pg.RangeVar{Relname: names[len(names)-1]}
		}
	}
	return nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return s
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// A class of disagreement: why phasegate and squawk differ, and where
// phasegate documents it (the rule's Notes, in docs/rules.md).
type class struct {
	Why        string
	Documented string
}

const unexplained = "UNEXPLAINED"

var squawkOnlyClasses = map[string]class{
	"new-ctas": {"the relation was created earlier in the same file by CREATE TABLE AS or CREATE MATERIALIZED VIEW, so it is new (no other session can use it before the migration ends); squawk recognises only CREATE TABLE",
		"Notes of create-index-non-concurrently, add-unique-constraint, add-foreign-key-validated, set-not-null-scan, add-column-rewrite"},
	"new-table": {"the table was created earlier in the same file; squawk exempts new tables only inside a transaction, and never for adding-serial-primary-key-field, adding-not-nullable-field, adding-field-with-default, ADD COLUMN ... UNIQUE/REFERENCES or drops",
		"Notes of create-index-non-concurrently, add-unique-constraint, set-not-null-scan, drop-column, drop-table"},
	"index-exists": {"CREATE INDEX IF NOT EXISTS of an index an earlier migration created: PostgreSQL builds nothing",
		"Notes of create-index-non-concurrently"},
	"no-rewrite-type": {"a type change PostgreSQL makes without a rewrite or index rebuild (varchar widened, varchar to text, the type the column already has), judged against the type the history gives the column",
		"Notes of alter-column-type-rewrite and change-column-type"},
	"fk-no-default": {"REFERENCES on a column added without DEFAULT: every row is NULL and PostgreSQL marks the key valid without a scan",
		"Notes of add-foreign-key-validated"},
	"already-not-null": {"SET NOT NULL of a column that is already NOT NULL: PostgreSQL does nothing",
		"Notes of set-not-null-scan"},
	"column-new": {"the column was added earlier in the same file: the previous release never used it",
		"Notes of drop-column"},
	"if-exists-missing": {"DROP COLUMN IF EXISTS of a column the replayed history says the table does not have: a no-op",
		"Notes of drop-column"},
	"index-missing": {"DROP INDEX IF EXISTS of an index the replayed history does not have, in a schema it defines fully: a no-op",
		"Notes of drop-index-non-concurrently"},
	"negative-default": {"DEFAULT -1 is a constant; squawk reads the minus sign as an expression",
		"Notes of add-column-volatile-default"},
	unexplained: {"no class fits: a candidate miss to investigate", ""},
}

var phasegateOnlyClasses = map[string]class{
	"no-squawk-rule": {"squawk has no rule for it (it lints DDL only, not DML, DO blocks, drops or renames of objects other than tables and columns, or what a transaction holds)",
		"Notes of the phasegate rule"},
	"do-block": {"the statement is a DO block; squawk does not read its body", "Notes of unknown-effect"},
	"add-column-check": {"CHECK on a column the statement adds: PostgreSQL scans the table to check it; squawk only flags ADD CONSTRAINT",
		"Notes of add-check-validated"},
	unexplained: {"no class fits: a candidate false positive to investigate", ""},
}

// explainSquawkOnly classifies a squawk finding (rule r on statement s)
// for which phasegate reports none of the paired rules.
func explainSquawkOnly(s *stmt, r string) string {
	f := s.facts
	switch {
	case f.createdBy == "CREATE TABLE AS":
		return "new-ctas"
	case f.createdBy == "CREATE TABLE":
		return "new-table"
	case r == "require-concurrent-index-creation" && f.indexExists != "":
		return "index-exists"
	case r == "changing-column-type" && (len(f.typeBefore) > 0 || len(f.addedInFile) > 0):
		return "no-rewrite-type"
	case r == "adding-foreign-key-constraint" && f.fkNoDefault:
		return "fk-no-default"
	case r == "adding-not-nullable-field" && len(f.notNullBefore) > 0:
		return "already-not-null"
	case r == "ban-drop-column" && len(f.addedInFile) > 0:
		return "column-new"
	case r == "ban-drop-column" && len(f.missingColumn) > 0:
		return "if-exists-missing"
	case r == "require-concurrent-index-deletion" && len(f.missingIndex) > 0:
		return "index-missing"
	case r == "adding-field-with-default" && f.negDefault:
		return "negative-default"
	}
	return unexplained
}

// pairedRules are the phasegate rules some breaking or hazard squawk rule
// is paired with.
func pairedRules() map[string]bool {
	out := map[string]bool{}
	for _, m := range squawkRules {
		if headline(m.Category) {
			for _, r := range m.Phasegate {
				out[r] = true
			}
		}
	}
	return out
}

// explainPhasegateOnly classifies a phasegate finding (rule r on statement
// s) on a statement squawk does not flag.
func explainPhasegateOnly(s *stmt, r string, paired map[string]bool) string {
	switch {
	case !paired[r]:
		return "no-squawk-rule"
	case s.facts.doBlock:
		return "do-block"
	case r == "add-check-validated" && s.facts.addColCheck:
		return "add-column-check"
	}
	return unexplained
}

// unmatched are the squawk headline rules on s for which phasegate reports
// none of the paired rules.
func (s *stmt) unmatched() []string {
	var out []string
	for _, r := range s.squawkHeadline() {
		if !s.hasPG(squawkRules[r].Phasegate...) {
			out = append(out, r)
		}
	}
	return out
}

type tally struct {
	files, stmts                       int
	flagged, also, same                int
	squawkOnly, squawkOnlyExplained    int
	pgFlagged, pgOnly, pgOnlyExplained int
	pairs, pairsSame, pairsExplained   int
}

func (t *tally) add(o tally) {
	t.files += o.files
	t.stmts += o.stmts
	t.flagged += o.flagged
	t.also += o.also
	t.same += o.same
	t.squawkOnly += o.squawkOnly
	t.squawkOnlyExplained += o.squawkOnlyExplained
	t.pgFlagged += o.pgFlagged
	t.pgOnly += o.pgOnly
	t.pgOnlyExplained += o.pgOnlyExplained
	t.pairs += o.pairs
	t.pairsSame += o.pairsSame
	t.pairsExplained += o.pairsExplained
}

func count(r *corpusResult, paired map[string]bool) tally {
	t := tally{files: r.files, stmts: len(r.stmts)}
	for _, s := range r.stmts {
		sq := s.squawkHeadline()
		if len(sq) > 0 {
			t.flagged++
			un := s.unmatched()
			t.pairs += len(sq)
			t.pairsSame += len(sq) - len(un)
			explained := true
			for _, u := range un {
				if explainSquawkOnly(s, u) == unexplained {
					explained = false
				} else {
					t.pairsExplained++
				}
			}
			if len(un) == 0 {
				t.same++
			}
			if s.alsoReports() {
				t.also++
			} else {
				t.squawkOnly++
				if explained {
					t.squawkOnlyExplained++
				}
			}
		}
		if s.pgFlags() {
			t.pgFlagged++
			if len(sq) == 0 {
				t.pgOnly++
				explained := true
				for _, r := range s.pgReasons() {
					if explainPhasegateOnly(s, r, paired) == unexplained {
						explained = false
					}
				}
				if explained {
					t.pgOnlyExplained++
				}
			}
		}
	}
	return t
}

func report(w io.Writer, root, bin, mode string, results []*corpusResult, examples int) {
	paired := pairedRules()
	fmt.Fprintf(w, "phasegate vs squawk %s on %s\n", squawkVersion, root)
	fmt.Fprintf(w, "squawk: %s %s [--assume-in-transaction for files the tool runs in one transaction] FILES...\n", bin, strings.Join(squawkArgs(false), " "))
	fmt.Fprintf(w, "phasegate: in-process, PostgreSQL %d, every rule on, mode %s (%s)\n\n", pgVersion, mode, map[string]string{
		"history":    "each file judged as the change that added it, the corpus's earlier files replayed as production",
		"standalone": "each file alone against an empty schema",
		"fresh":      "the whole corpus as one change: every object the history creates is new",
	}[mode])

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "corpus\tformat\tfiles\tstatements\tsquawk flags\tphasegate also\tagreement\tsame concern\tsquawk only\texplained\tphasegate flags\tphasegate only\texplained\t")
	var total tally
	row := func(name, format string, t tally) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d (%s)\t%d\t%d\t%d\t%d\t%d\t\n", name, format, t.files, t.stmts, t.flagged, t.also, pct(t.also, t.flagged),
			t.same, pct(t.same, t.flagged), t.squawkOnly, t.squawkOnlyExplained, t.pgFlagged, t.pgOnly, t.pgOnlyExplained)
	}
	for _, r := range results {
		t := count(r, paired)
		total.add(t)
		row(r.name, r.format, t)
	}
	row("total", "", total)
	tw.Flush()
	fmt.Fprintf(w, `
statements: forward statements judged (down sections and down files excluded).
squawk flags: statements with a squawk breaking-change or lock/rewrite-hazard finding (categories below).
phasegate also: of those, statements phasegate makes contract/unknown, gives a locking finding (the
  timeout rules aside) or gives a finding of a paired rule; agreement = phasegate also / squawk flags.
same concern: statements where phasegate reports a paired rule for every breaking/hazard rule squawk
  raises on it; (statement, squawk rule) pairs: %d, %d with the paired phasegate rule, %d of the others
  explained by a class below, %d unexplained.
squawk only: squawk flags, phasegate does not report; explained: every squawk finding on it falls in
  a class below.
phasegate flags: statements phasegate makes contract/unknown or gives a locking finding (timeouts aside);
  phasegate only: of those, the ones squawk does not flag; explained: each reason falls in a class below.
`, total.pairs, total.pairsSame, total.pairsExplained, total.pairs-total.pairsSame-total.pairsExplained)

	var all []*stmt
	for _, r := range results {
		all = append(all, r.stmts...)
	}

	// Per squawk rule.
	fmt.Fprintln(w, "\nPer squawk rule, (statement, rule) pairs:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "squawk rule\tcategory\tpaired phasegate rules\tsquawk\tphasegate also\tsame concern\tleft out of the agreement because")
	names := make([]string, 0, len(squawkRules))
	for n := range squawkRules {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		ci, cj := catOrder(squawkRules[names[i]].Category), catOrder(squawkRules[names[j]].Category)
		if ci != cj {
			return ci < cj
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		m := squawkRules[n]
		var sq, also, same, pgTotal int
		for _, s := range all {
			if contains(s.squawk, n) {
				sq++
				if headline(m.Category) && s.alsoReports() || !headline(m.Category) && s.hasPG(m.Phasegate...) {
					also++
				}
				if s.hasPG(m.Phasegate...) {
					same++
				}
			}
			if !headline(m.Category) && len(m.Phasegate) > 0 && s.hasPG(m.Phasegate...) {
				pgTotal++
			}
		}
		pgr := strings.Join(m.Phasegate, ", ")
		if pgr == "" {
			pgr = "(none)"
		}
		reason := ""
		if !headline(m.Category) {
			reason = m.Reason
			if len(m.Phasegate) > 0 {
				reason = fmt.Sprintf("[phasegate: %d statements] %s", pgTotal, reason)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", n, m.Category, pgr, sq, also, same, reason)
	}
	tw.Flush()

	// squawk flags, phasegate does not report the same concern.
	fmt.Fprintln(w, "\nDisagreement classes, squawk flags and phasegate does not report the paired rule ((statement, rule) pairs):")
	type key struct{ rule, class string }
	groups := map[key][]*stmt{}
	byClass := map[string]map[*stmt]int{}
	for _, s := range all {
		for _, r := range s.unmatched() {
			c := explainSquawkOnly(s, r)
			groups[key{r, c}] = append(groups[key{r, c}], s)
			if byClass[c] == nil {
				byClass[c] = map[*stmt]int{}
			}
			byClass[c][s]++
		}
	}
	printClasses(w, byClass, squawkOnlyClasses)
	fmt.Fprintln(w, "\nThe pairs, by squawk rule and class (\"phasegate:\" is its verdict on the statement; a statement")
	fmt.Fprintln(w, "phasegate reports for another reason counts as \"phasegate also\" in the agreement):")
	printGroups(w, groups, examples, func(k key) (string, string) { return k.rule, k.class }, func(s *stmt) string {
		v := fmt.Sprintf("phasegate: %s%s", s.phase, withRules(s.rules))
		if h := s.facts.String(); h != "" {
			v += " (" + h + ")"
		}
		return v
	})

	// phasegate flags, squawk does not.
	fmt.Fprintln(w, "\nDisagreement classes, phasegate flags and squawk does not (statement, phasegate rule):")
	groups = map[key][]*stmt{}
	byClass = map[string]map[*stmt]int{}
	for _, s := range all {
		if len(s.squawkHeadline()) > 0 || !s.pgFlags() {
			continue
		}
		for _, r := range s.pgReasons() {
			c := explainPhasegateOnly(s, r, paired)
			groups[key{r, c}] = append(groups[key{r, c}], s)
			if byClass[c] == nil {
				byClass[c] = map[*stmt]int{}
			}
			byClass[c][s]++
		}
	}
	printClasses(w, byClass, phasegateOnlyClasses)
	fmt.Fprintln(w, "\nThe statements, by phasegate rule and class:")
	printGroups(w, groups, examples, func(k key) (string, string) { return k.rule, k.class }, func(s *stmt) string {
		if len(s.squawk) == 0 {
			return "squawk: nothing"
		}
		return "squawk: " + strings.Join(s.squawk, ", ")
	})

	// What could not be compared.
	fmt.Fprintln(w, "\nNot compared:")
	none := true
	for _, r := range results {
		var sx []string
		for f := range r.squawkSyntax {
			sx = append(sx, f)
		}
		sort.Strings(sx)
		var unknown []string
		for k, v := range r.unknownRules {
			unknown = append(unknown, fmt.Sprintf("%s (%d)", k, v))
		}
		sort.Strings(unknown)
		if r.skipped+len(r.parseErrors)+len(sx)+r.outside+r.unmatched+len(unknown) == 0 {
			continue
		}
		none = false
		fmt.Fprintf(w, "  %s (%s in %s):", r.name, r.format, strings.Join(r.dirs, ", "))
		if r.skipped > 0 {
			fmt.Fprintf(w, " %d migrations phasegate lists but cannot read (Go/fizz migrations);", r.skipped)
		}
		if r.outside > 0 {
			fmt.Fprintf(w, " %d squawk findings outside the forward SQL (down sections), dropped;", r.outside)
		}
		if r.unmatched > 0 {
			fmt.Fprintf(w, " %d squawk findings in files phasegate could not parse;", r.unmatched)
		}
		fmt.Fprintln(w)
		for _, e := range r.parseErrors {
			fmt.Fprintf(w, "    phasegate could not parse %s\n", e)
		}
		for _, f := range sx {
			fmt.Fprintf(w, "    squawk syntax-error in %s: squawk reports nothing else for that file\n", f)
		}
		for _, u := range unknown {
			fmt.Fprintf(w, "    squawk rule missing from the mapping table: %s\n", u)
		}
	}
	if none {
		fmt.Fprintln(w, "  nothing")
	}
}

// printClasses prints each class with its number of findings (pairs) and
// of statements.
func printClasses(w io.Writer, byClass map[string]map[*stmt]int, classes map[string]class) {
	pairs := func(k string) int {
		n := 0
		for _, c := range byClass[k] {
			n += c
		}
		return n
	}
	keys := make([]string, 0, len(byClass))
	for k := range byClass {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if pairs(keys[i]) != pairs(keys[j]) {
			return pairs(keys[i]) > pairs(keys[j])
		}
		return keys[i] < keys[j]
	})
	if len(keys) == 0 {
		fmt.Fprintln(w, "  none")
	}
	fmt.Fprintf(w, "  %-18s %5s %5s\n", "class", "pairs", "stmts")
	for _, k := range keys {
		c := classes[k]
		fmt.Fprintf(w, "  %-18s %5d %5d  %s", k, pairs(k), len(byClass[k]), c.Why)
		if c.Documented != "" {
			fmt.Fprintf(w, " [%s]", c.Documented)
		}
		fmt.Fprintln(w)
	}
}

func printGroups[K comparable](w io.Writer, groups map[K][]*stmt, examples int, name func(K) (string, string), detail func(*stmt) string) {
	keys := make([]K, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ai, bi := name(keys[i])
		aj, bj := name(keys[j])
		if ai != aj {
			return ai < aj
		}
		return bi < bj
	})
	if len(keys) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, k := range keys {
		ss := groups[k]
		a, b := name(k)
		fmt.Fprintf(w, "  %s / %s: %d\n", a, b, len(ss))
		for i, s := range ss {
			if examples > 0 && i == examples {
				fmt.Fprintf(w, "    ... %d more\n", len(ss)-examples)
				break
			}
			fmt.Fprintf(w, "    %s:%d  %s\n      %s\n", s.file, s.line, s.sql, detail(s))
		}
	}
}

func catOrder(c string) int {
	for i, x := range []string{breaking, hazard, correctness, notAtPG16, timeout, style, parser} {
		if x == c {
			return i
		}
	}
	return 99
}

func withRules(rs []string) string {
	if len(rs) == 0 {
		return ""
	}
	return " [" + strings.Join(rs, ", ") + "]"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// droppedOrCreatedInFile reports whether an earlier statement of the file
// creates or drops an index of that name (the catalog before the file does
// not tell then).
func droppedOrCreatedInFile(earlier []*sqltext.Statement, name string) bool {
	for _, s := range earlier {
		if ix := s.Node.GetIndexStmt(); ix != nil && ix.Idxname == name {
			return true
		}
		if d := s.Node.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX {
			for _, o := range d.Objects {
				if names := schema.ObjectNames(o); len(names) > 0 && names[len(names)-1] == name {
					return true
				}
			}
		}
	}
	return false
}
