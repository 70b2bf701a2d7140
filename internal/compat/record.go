package compat

import (
	"context"

	"github.com/phasegate/phasegate/internal/capture"
)

// recording runs a scenario's test suite through the capture proxy, which
// records every statement the suite executes (see prove).
type recording struct {
	proxy *capture.Proxy
	err   string // why nothing is recorded
}

// startRecording starts the proxy in front of srv; a server reached over
// TLS cannot be recorded (the proxy reads the protocol in plaintext).
func startRecording(ctx context.Context, srv *Server) *recording {
	addr, tls := srv.Addr()
	if tls {
		return &recording{err: "not recorded: phasegate reaches the server of --database-url over TLS, and the capture proxy reads the protocol in plaintext"}
	}
	p, err := capture.Start(ctx, addr)
	if err != nil {
		return &recording{err: "not recorded: " + err.Error()}
	}
	return &recording{proxy: p}
}

// env is the connection environment of the scenario's database: through
// the proxy when there is one.
func (r *recording) env(db *Database, names map[string]string) []string {
	if r == nil || r.proxy == nil {
		return db.Env(names)
	}
	return db.EnvVia(names, r.proxy.Addr())
}

// finish stops the proxy and judges the proof: the coverage of each change
// (written into them) and whether the proof is vacuous, which fails a
// compat scenario that passed.
func (r *recording) finish(res *Result, sc *Scenario, prev, next *Snapshot) {
	if r == nil {
		return
	}
	if r.proxy == nil {
		res.Proof = &Proof{Error: r.err}
		return
	}
	r.close()
	if sc.Status != StatusPass && sc.Status != StatusFail {
		return // the suite did not run through (error, skipped): nothing to judge
	}
	res.Proof = prove(r.proxy.Statements(), prev, next, res.Changes)
	res.Proof.Problems = r.proxy.Problems()
	if res.Proof.Vacuous != "" && sc.Status == StatusPass {
		sc.Status, sc.Reason = StatusFail, "the proof is vacuous: "+res.Proof.Vacuous+". To fix: "+VacuousFix
	}
}

// close stops the proxy; what it recorded stays readable.
func (r *recording) close() {
	if r != nil && r.proxy != nil {
		r.proxy.Close()
	}
}
