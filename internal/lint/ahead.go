package lint

import (
	"io/fs"
	"runtime"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Reading and parsing a migration costs about as much as judging it, and
// needs nothing from the migrations before it; judging and replaying
// follow the history's order. So the files are read and parsed on every
// core, a few files ahead of the one being judged, and handed over in
// order: the output does not depend on the number of cores, and memory
// holds a window of parsed files, not the history.

// job is one migration to read and parse.
type job struct {
	fsys   fs.FS
	format source.Format
	m      source.Migration
}

// parsed is a job's result.
type parsed struct {
	file   *sqltext.File
	script source.Script
	err    error
}

// ahead parses jobs on up to GOMAXPROCS goroutines, at most a window of
// files ahead of the consumer, and calls yield with each result in the
// jobs' order. It stops early when yield returns false.
func ahead(jobs []job, yield func(i int, p parsed) bool) {
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 || len(jobs) < 2 {
		for i, j := range jobs {
			f, s, err := load(j.fsys, j.format, j.m)
			if !yield(i, parsed{f, s, err}) {
				return
			}
		}
		return
	}
	results := make([]chan parsed, len(jobs))
	for i := range results {
		results[i] = make(chan parsed, 1) // a worker never waits on the consumer
	}
	window := make(chan struct{}, 2*workers) // parsed or being parsed, not yet consumed
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i, j := range jobs {
			select {
			case window <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				f, s, err := load(j.fsys, j.format, j.m)
				results[i] <- parsed{f, s, err}
			}()
		}
	}()
	for i := range jobs {
		p := <-results[i]
		results[i] = nil
		<-window
		if !yield(i, p) {
			return
		}
	}
}
