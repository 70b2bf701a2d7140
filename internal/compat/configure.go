package compat

import (
	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/config"
)

// FromConfig is the part of the runtime check's options the config sets:
// the server, the migrate and test commands, the per-test results and
// their reruns, the scenarios turned off, the timeout. The caller adds
// the repository, the versions, the migrations, and where output goes.
func FromConfig(r config.Runtime) (Options, error) {
	results, err := ParseResults(r.Results)
	if err != nil {
		return Options{}, &config.Error{Path: r.Path, Msg: err.Error()}
	}
	results.Rerun = r.Rerun
	return Options{
		URL: r.Server.URL, Image: r.Server.Image, Pull: r.Server.Pull,
		MigrateCommand: r.MigrateCommand,
		Runner:         Runner{LockTimeout: r.LockTimeout, StatementTimeout: r.StatementTimeout},
		TestCommand:    r.TestCommand, Results: results, Record: r.Record,
		TestEnv: r.Env, EnvNames: r.EnvNames, Off: r.Off, Timeout: r.Timeout,
	}, nil
}

// Judge lists the statements of the new migrations as the static check
// read them (Options.Judged); the deferred ones are not applied with
// them.
func Judge(files []checker.FileResult) []JudgedStatement {
	var judged []JudgedStatement
	for _, f := range files {
		if f.Deferred {
			continue
		}
		for _, s := range f.Statements {
			judged = append(judged, JudgedStatement{Path: f.Migration.Path, Line: s.Pos.Line, SQL: s.SQL})
		}
	}
	return judged
}
