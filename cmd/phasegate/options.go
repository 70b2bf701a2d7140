package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/spell"
)

// checkerOptions turns the configuration into checker options, rejecting
// unknown rule ids and severities with their place in the config file.
func checkerOptions(cfg *config.Config, pgVersion int) (checker.Options, error) {
	opts := checker.Options{Severity: map[string]checker.Severity{}, LockTimeout: cfg.Postgres.LockTimeoutSet}
	v := cfg.Postgres.Version
	if pgVersion != 0 {
		v = pgVersion
	}
	var err error
	if opts.Version, err = checker.TargetVersion(v); err != nil {
		return opts, err
	}
	for id, s := range cfg.Rules {
		sev, err := checker.RuleSeverity(id, s)
		switch {
		case errors.Is(err, checker.ErrUnknownRule):
			return opts, cfg.ErrorAt(id, unknownRule(id, "rules"))
		case err != nil:
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
				return opts, cfg.ErrorAt(id, unknownRule(id, "ignore"))
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

// renderOptions says how to run an ORM's tooling (Alembic, Django) from
// the config; close stops the PostgreSQL started to render Django's
// migrations, if any.
func renderOptions(cfg *config.Config, version int, log io.Writer) (opts lint.RenderOptions, close func()) {
	db := compat.NewScratch(cfg.Server(version), log)
	timeout := cfg.TestsTimeout() // the runtime check's bound serves the ORM's rendering too
	var tables []string
	if cfg.Migrations.VersionTable != "" {
		tables = []string{cfg.Migrations.VersionTable}
	}
	return lint.RenderOptions{Python: cfg.Migrations.Python, AlembicConfig: cfg.Migrations.AlembicConfig,
			DjangoSettings: cfg.Migrations.DjangoSettings, Database: db.Database, MigrateCommand: cfg.Migrate.Command, Timeout: timeout,
			VersionTables: tables}, func() {
			if err := db.Close(); err != nil && log != nil {
				fmt.Fprintf(log, "phasegate: stopping the PostgreSQL of the rendering: %v\n", err)
			}
		}
}

// postgresFlags say which PostgreSQL to use.
type postgresFlags struct {
	url, image *string
	noPull     *bool
}

func (p *postgresFlags) register(fs *flag.FlagSet, purpose string) {
	p.url = fs.String("database-url", os.Getenv("PHASEGATE_DATABASE_URL"), purpose+"use this PostgreSQL server instead of a container (overrides postgres.url; default $PHASEGATE_DATABASE_URL); phasegate creates and drops its own databases there")
	p.image = fs.String("postgres-image", "", purpose+"container image (overrides postgres.image; default postgres:<version>)")
	p.noPull = fs.Bool("no-pull", false, purpose+"never pull the image: fail when it is not present locally (overrides postgres.pull)")
}

// apply writes the flags given into the config.
func (p postgresFlags) apply(cfg *config.Config) {
	if *p.url != "" {
		cfg.Postgres.URL = *p.url
	}
	if *p.image != "" {
		cfg.Postgres.Image = *p.image
	}
	if *p.noPull {
		f := false
		cfg.Postgres.Pull = &f
	}
}

// sourceSettings configures the migration formats from the config (pop's
// template options).
func sourceSettings(cfg *config.Config) source.Settings {
	return source.Settings{TemplateOptions: cfg.Migrations.TemplateOptions}
}

// findConfig loads the config file of the repository at root (explicit,
// if given, else the first of config.Names) and checks migrations.format.
func findConfig(root, explicit string) (*config.Config, error) {
	cfg, err := config.Find(root, explicit)
	if err != nil {
		return nil, err
	}
	return cfg, checkFormat(cfg)
}

// checkFormat rejects a migrations.format that names no format, at its
// place in the config file, before anything looks for migrations.
func checkFormat(cfg *config.Config) error {
	if f := cfg.Migrations.Format; f != "" && f != "auto" {
		if _, err := source.Lookup(f); err != nil {
			return cfg.FormatErrorf("migrations.format: %v (docs/formats.md)", err)
		}
	}
	return nil
}

// unknownRule says that the config's key where names rule id, which does
// not exist, and which rule it most likely meant.
func unknownRule(id, where string) string {
	var ids []string
	for _, r := range checker.Rules() {
		ids = append(ids, r.ID)
	}
	return fmt.Sprintf("unknown rule %q in %s%s (phasegate rules lists them)", id, where, spell.DidYouMean(id, ids, "%q"))
}
