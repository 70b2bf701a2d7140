package main

import (
	"fmt"

	"github.com/phasegate/phasegate/change"
	"github.com/phasegate/phasegate/checker"
	"github.com/phasegate/phasegate/config"
)

// checkerOptions turns the configuration into checker options, rejecting
// unknown rule ids and severities with their place in the config file.
func checkerOptions(cfg *config.Config, pgVersion int) (checker.Options, error) {
	opts := checker.Options{
		Version:     cfg.Postgres.Version,
		Severity:    map[string]checker.Severity{},
		LockTimeout: cfg.Postgres.LockTimeoutSet,
	}
	if pgVersion != 0 {
		opts.Version = pgVersion
	}
	if opts.Version == 0 {
		opts.Version = checker.DefaultVersion
	}
	if opts.Version < 9 || opts.Version > 30 {
		return opts, fmt.Errorf("postgres version %d: give the major version, e.g. 16", opts.Version)
	}
	for id, s := range cfg.Rules {
		if checker.Lookup(id) == nil {
			return opts, cfg.ErrorAt(id, fmt.Sprintf("unknown rule %q in rules (phasegate rules lists them)", id))
		}
		sev, err := checker.ParseSeverity(s)
		if err != nil {
			return opts, cfg.ErrorAt(id, err.Error())
		}
		opts.Severity[id] = sev
	}
	for _, ig := range cfg.Ignore {
		if ig.Path == "" {
			return opts, fmt.Errorf("%s: every ignore entry needs a path", cfg.Path)
		}
		for _, id := range ig.Rules {
			if id != "*" && checker.Lookup(id) == nil {
				return opts, cfg.ErrorAt(id, fmt.Sprintf("unknown rule %q in ignore (phasegate rules lists them)", id))
			}
		}
		rules := ig.Rules
		if len(rules) == 0 {
			rules = []string{"*"}
		}
		opts.Ignore = append(opts.Ignore, checker.IgnoreRule{Path: ig.Path, Rules: rules})
	}
	return opts, nil
}

// renderOptions says how to run an ORM's tooling (Alembic) from the config.
func renderOptions(cfg *config.Config) change.RenderOptions {
	return change.RenderOptions{Python: cfg.Migrations.Python, AlembicConfig: cfg.Migrations.AlembicConfig}
}
