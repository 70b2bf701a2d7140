package main

import (
	"fmt"
	"io"

	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/report"
	"github.com/phasegate/phasegate/internal/source"
)

func runClassify(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("classify")
	schemaFile := fs.String("schema", "", "SQL file with the production schema the files run against")
	cfgPath := fs.String("config", "", "config file (default: none)")
	format := fs.String("format", "text", "output format: text or json")
	migFormat := fs.String("migrations-format", "", "migration format of the files (default: detect)")
	pgVersion := fs.Int("pg-version", 0, "target PostgreSQL major version")
	oneChange := fs.Bool("one-change", false, "judge a directory's migrations as one change, like files named one by one: objects an earlier migration creates count as new in the later ones (before a first release, when nothing is in production); by default each migration of a directory is judged against the ones before it")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if len(paths) == 0 {
		return 0, usagef("give one or more migration files or directories")
	}
	if *format != "text" && *format != "json" {
		return 0, usagef("--format must be text or json")
	}
	if *migFormat != "" && *migFormat != "auto" {
		if _, err := source.Lookup(*migFormat); err != nil {
			return 0, usagef("--migrations-format: %v (docs/formats.md)", err)
		}
	}
	cfg := &config.Config{}
	if *cfgPath != "" {
		if cfg, err = config.Load(*cfgPath); err != nil {
			return 0, err
		}
	}
	opts, err := checkerOptions(cfg, *pgVersion)
	if err != nil {
		return 0, err
	}
	mf := *migFormat
	if mf == "" {
		mf = cfg.Migrations.Format
	}
	res, err := lint.Files(paths, lint.FilesOptions{Schema: *schemaFile, Format: mf, Checker: opts, OneChange: *oneChange, Source: sourceSettings(cfg)})
	if err != nil {
		return 0, explainFormat(err, cfg, "--migrations-format")
	}
	rep := report.FromChange(res, report.Options{PostgresVersion: opts.Version})
	rep.Migrations = nil
	if err := write(stdout, *format, rep); err != nil {
		return 0, fmt.Errorf("write report: %w", err)
	}
	return rep.ExitCode(), nil
}
