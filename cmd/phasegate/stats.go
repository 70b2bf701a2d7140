package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/report"
	"github.com/phasegate/phasegate/internal/stats"
)

// runStats reads the table sizes of a database the user chooses (a
// replica, a staging clone) into the stats file check reads.
func runStats(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("stats")
	url := fs.String("database-url", os.Getenv("PHASEGATE_DATABASE_URL"), "the database to read the sizes of (default $PHASEGATE_DATABASE_URL); phasegate only reads its catalog")
	output := fs.String("output", "", "write the file here (default: standard output); commit it as "+config.DefaultStatsFile)
	format := fs.String("format", "yaml", "yaml or json")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArguments(fs, pos, ": give the database as --database-url URL"); err != nil {
		return 0, err
	}
	if *url == "" {
		return 0, usagef("--database-url is required: a replica or a staging clone whose sizes are production's")
	}
	if *format != "yaml" && *format != "json" {
		return 0, usagef("--format must be yaml or json")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	conn, err := pgx.Connect(ctx, *url)
	if err != nil {
		return 0, fmt.Errorf("connect to --database-url (pgx does not print its password): %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	f, err := stats.Read(ctx, conn)
	if err != nil {
		return 0, err
	}
	if *output == "" {
		return exitOK, f.Write(stdout, *format)
	}
	if err := writeFile(*output, func(w io.Writer) error { return f.Write(w, *format) }); err != nil {
		return 0, err
	}
	fmt.Fprintf(stderr, "phasegate: wrote the sizes of %d tables to %s\n", len(f.Tables), *output)
	return exitOK, nil
}

// statsFor loads the stats file the config or --stats names, and the
// options it weighs the findings with.
func statsFor(root string, cfg *config.Config, flag string) (*stats.File, report.StatsOptions, error) {
	opts := report.StatsOptions{Model: stats.DefaultModel, SmallRows: 10000}
	if cfg.Stats.SmallRows != nil {
		opts.SmallRows = *cfg.Stats.SmallRows
	}
	path, optional := flag, false
	if path == "" {
		path, optional = cfg.Stats.File, false
		if path == "" {
			path, optional = config.DefaultStatsFile, true
		}
		path = filepath.Join(root, filepath.FromSlash(path))
	}
	f, err := stats.Load(path, optional)
	return f, opts, err
}
