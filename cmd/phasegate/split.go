package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/split"
)

func runSplit(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("split")
	base := fs.String("base", "", "the revision the change is compared with (default origin/HEAD, then main)")
	cfgPath := fs.String("config", "", "config file (default .github/phasegate.yml or phasegate.yml)")
	dryRun := fs.Bool("dry-run", false, "print the split as a unified diff and change nothing")
	after := fs.String("after", "release", "when the deferred part may be applied: release, \"deployment ENV\" or a date YYYY-MM-DD")
	pr := fs.Int("pr", 0, "the pull request that defers it, recorded in the header (the follow-up bot otherwise finds it in the merge commit's message)")
	var pgFlags postgresFlags
	pgFlags.register(fs, "for Django, which writes its SQL from a live database: ")
	emitSQL := fs.Bool("emit-sql", false, "for migrations written in an ORM: write the split (without it, split only says what it would do): an Alembic revision keeps what ships now as op.execute, and what waits goes into the deferred directory as a revision of its own (Django: as SQL)")
	force := fs.Bool("force", false, "defer a drop even though the new code still mentions what it drops (the contract-ready scenario of phasegate check then proves whether it is used)")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if len(paths) == 0 {
		return 0, usagef("give the migration files to split")
	}
	// The header's reader checks the condition: what it refuses here, the
	// follow-up bot would refuse once the split is merged.
	cond, err := deferred.ParseAfter(*after)
	if err != nil {
		return 0, usagef("--after: %v; write --after release, --after \"deployment ENV\" (e.g. --after \"deployment production\") or --after YYYY-MM-DD (e.g. --after 2026-12-01)", err)
	}
	ctx := context.Background()
	repo, err := git.Open(".")
	if err != nil {
		return 0, err
	}
	cfg, err := config.Find(repo.Root, *cfgPath)
	if err != nil {
		return 0, err
	}
	opts, err := checkerOptions(cfg, 0)
	if err != nil {
		return 0, err
	}
	if *base == "" {
		*base = defaultBase(ctx, repo)
	}
	pgFlags.apply(cfg)
	ropts, closeRender := renderOptions(cfg, opts.Version, stderr, "")
	defer closeRender()
	wd, _ := os.Getwd()
	targets := map[string]bool{}
	for _, p := range paths {
		if rel, err := repoPath(repo.Root, wd, p); err == nil {
			targets[rel] = true
		}
	}
	// The schema just before each statement of the files to split: the
	// recipes recreate columns, indexes and constraints from it.
	catalogs := map[string]map[int]*schema.Catalog{}
	res, err := lint.Check(ctx, lint.Options{Repo: repo, Base: *base, Dir: cfg.Migrations.Dir, Format: cfg.Migrations.Format,
		DeferredDir: cfg.Migrations.DeferredDir, Checker: opts, Render: ropts, Source: sourceSettings(cfg),
		Before: func(path string, i int, cat *schema.Catalog) {
			if targets[path] {
				if catalogs[path] == nil {
					catalogs[path] = map[int]*schema.Catalog{}
				}
				catalogs[path][i] = cat.Clone()
			}
		}})
	if err != nil {
		return 0, explainFormat(err, cfg, "")
	}
	for _, e := range res.Errors {
		return 0, fmt.Errorf("%s: fix the migrations before splitting them", e)
	}
	format, err := sourceSettings(cfg).Lookup(res.Format)
	if err != nil {
		return 0, err
	}
	byPath := map[string]checker.FileResult{}
	for _, f := range res.Files {
		if !f.Deferred {
			byPath[f.Migration.Path] = f
		}
	}
	fsys := os.DirFS(repo.Root)
	codeFiles, _, err := repo.WorkTreeFiles(ctx)
	if err != nil {
		return 0, err
	}
	code := exitOK
	for _, p := range paths {
		rel, err := repoPath(repo.Root, wd, p)
		if err != nil {
			return 0, err
		}
		fr, ok := byPath[rel]
		if _, err := os.Stat(filepath.Join(repo.Root, filepath.FromSlash(rel))); err != nil && !ok {
			return 0, fmt.Errorf("%s: no such file", p)
		}
		if ok && res.Changed[rel] == git.Modified {
			return 0, fmt.Errorf("%s is an edited migration that exists on %s: databases that applied it will not run it again, so splitting it changes nothing for them; put the contract statements in a new deferred migration instead", rel, *base)
		}
		if !ok && res.DeferredDir != "" && strings.HasPrefix(rel, strings.TrimSuffix(res.DeferredDir, "/")+"/") {
			return 0, fmt.Errorf("%s is a deferred migration: it already waits for the next release. If the new code needs part of it now (the deploy scenario says so), move its statements back into the migration its header names (from:), remove it, and run phasegate split on that migration", rel)
		}
		if !ok {
			return 0, fmt.Errorf("%s is not a new migration of this change (compared with %s): only migrations production has not applied can be split", rel, *base)
		}
		sopts := split.Options{Format: format, DeferredDir: res.DeferredDir, After: cond.String(), PR: *pr,
			Dir: res.Dir, Migrations: res.Migrations, Version: opts.Version,
			Schema: func(path string, i int) *schema.Catalog { return catalogs[path][i] },
			Code:   fsys, CodeFiles: codeFiles, Force: *force,
			AlembicDowngrade: func(m source.Migration) ([]split.RenderedStatement, error) {
				stmts, err := lint.AlembicDowngrade(ctx, repo, res.Dir, m.Version, ropts)
				var out []split.RenderedStatement
				for _, s := range stmts {
					out = append(out, split.RenderedStatement{Line: s.Line, SQL: s.SQL, Unjudged: s.Unjudged})
				}
				return out, err
			},
			ReadPython: func(path string, src []byte) (*ormsql.PyModule, error) {
				return ormsql.ReadPython(ctx, ropts.Python, path, src)
			}}
		var plan *split.Plan
		if _, rendered := format.(source.Rendered); rendered {
			plan, err = split.Rendered(fsys, fr.Migration, fr, sopts, *emitSQL)
		} else {
			plan, err = split.Split(fsys, fr.Migration, fr, sopts)
		}
		if errors.Is(err, split.ErrNothing) {
			fmt.Fprintf(stderr, "%s: nothing to split (%v)\n", rel, err)
			continue
		}
		if err != nil {
			return 0, err
		}
		if *dryRun {
			io.WriteString(stdout, plan.Diff())
			if _, rendered := format.(source.Rendered); rendered {
				io.WriteString(stdout, plan.Summary())
			}
			continue
		}
		if err := plan.Apply(repo.Root); err != nil {
			return 0, err
		}
		io.WriteString(stdout, plan.Summary())
	}
	return code, nil
}

// defaultBase is the remote's default branch, or main.
func defaultBase(ctx context.Context, repo *git.Repo) string {
	if out, err := repo.Git(ctx, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"); err == nil {
		if b := strings.TrimSpace(string(out)); b != "" {
			return b
		}
	}
	return "main"
}

// repoPath makes a command-line path relative to the repository root.
func repoPath(root, wd, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(wd, p)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is outside the repository %s", p, root)
	}
	return filepath.ToSlash(rel), nil
}
