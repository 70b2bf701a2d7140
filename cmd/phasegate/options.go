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
// migrations, if any. hint ends the error when that PostgreSQL does not
// start (compat.NewScratch): what else the command can do.
func renderOptions(cfg *config.Config, version int, log io.Writer, hint string) (opts lint.RenderOptions, close func()) {
	db := compat.NewScratch(cfg.Server(version), log, hint)
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

// explainFormat completes the *source.FormatError in err, if any, with
// what to do, in the terms the user gives the format in: migrations.format
// of cfg, or, when flag is set (classify), that flag, which is where
// classify takes the format from unless its --config file names it.
func explainFormat(err error, cfg *config.Config, flag string) error {
	var fe *source.FormatError
	if !errors.As(err, &fe) || fe.Fix != "" {
		return err
	}
	file := cfg.Path
	if file == "" {
		file = config.Names[0]
	}
	key := fmt.Sprintf("migrations.format (%s)", cfg.FormatPlace())
	if flag != "" && cfg.Migrations.Format != fe.Format {
		key = flag // the flag gave the format, or nothing did
	}
	switch {
	case fe.Format == "" && flag != "" && cfg.Path == "":
		fe.Fix = fmt.Sprintf("if migrations are there, give their tool: %s NAME, or --config FILE whose migrations.format names it (docs/formats.md)", flag)
	case fe.Format == "" && flag != "":
		fe.Fix = fmt.Sprintf("if migrations are there, give their tool: %s NAME, or migrations.format in %s (docs/formats.md)", flag, file)
	case fe.Format == "":
		fe.Fix = fmt.Sprintf("if migrations are there, set migrations.format in %s to their tool (docs/formats.md)", file)
	case fe.Like != "" && key == flag:
		fe.Fix = fmt.Sprintf("give %s %s, or leave it out: phasegate detects the format", flag, fe.Like)
	case fe.Like != "":
		fe.Fix = fmt.Sprintf("set %s to %s, or remove it: phasegate detects the format", key, fe.Like)
	case key == flag:
		fe.Fix = fmt.Sprintf("check %s: docs/formats.md shows each format's file names", key)
	default:
		fe.Fix = fmt.Sprintf("check %s and migrations.dir: docs/formats.md shows each format's file names", key)
	}
	return err
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
