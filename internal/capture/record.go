package capture

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Statement is one statement a client sent and the server received, as a
// Proxy recorded it. Simple-protocol statements are recorded when the
// Query message passes, extended-protocol ones when their Execute passes,
// with the SQL of the Parse and the values of the Bind behind it.
type Statement struct {
	// Seq is the statement's place in the execution order of the whole
	// capture (0, 1, 2...), across connections: the order in which the
	// proxy forwarded the statements to the server.
	Seq int
	// Conn numbers the session the statement came on (1, 2... in the order
	// in which the clients' startup messages arrived).
	Conn int
	// Application is the session's application_name from its startup
	// message ("" when the client sent none; "psql", "pg_dump"...).
	Application string
	// SQL is the text the server received. For the simple protocol it is
	// the whole Query message, which may hold several statements (Split
	// separates them); for the extended protocol it is one statement, with
	// $1, $2... for the parameters.
	SQL string
	// Extended is set for a statement run with Parse, Bind and Execute.
	Extended bool
	// Params are the values bound to $1, $2... (extended protocol only).
	Params []Param
	// Tags are the server's CommandComplete tags ("INSERT 0 1", "CREATE
	// TABLE"...), one per statement that completed: a simple Query holding
	// several statements gets one per statement, in order, so when it
	// failed, len(Tags) statements of it completed before the one that
	// failed.
	Tags []string
	// Failed is set when the server answered the statement with an
	// ErrorResponse; Error is its message, Code its SQLSTATE, Detail its
	// detail, Position the 1-based character position in SQL the server
	// gave (0 when it gave none). An Execute whose Parse or Bind failed is
	// failed with that error; a Parse that failed without an Execute
	// following (a client preparing a statement first, as pgx does) is
	// recorded as a failed statement of its own. An error at Sync (the
	// commit of the implicit transaction) fails the statement recorded
	// last on the session.
	Failed   bool
	Error    string
	Code     string
	Detail   string
	Position int
	// Skipped is set for an Execute the server discarded without running
	// it: an earlier message of the same extended-protocol pipeline (before
	// its Sync) failed.
	Skipped bool
	// Pending is set when the connection ended before the server answered:
	// the statement may or may not have run (the migrate command was
	// killed, or the server ended the session).
	Pending bool
	// RolledBack is set by Split (never by the Proxy) on a statement that
	// succeeded but whose transaction was rolled back: nothing of it
	// remains in the database.
	RolledBack bool
}

// Param is a value bound to a parameter of an extended-protocol statement.
type Param struct {
	// Value is the value in text format. A value the client sent in binary
	// format is converted to PostgreSQL's text output when its type is
	// known (from the Parse message or the server's ParameterDescription)
	// and is one of bool, int2, int4, int8, oid, float4, float8, text,
	// varchar, bpchar, name, char, json, jsonb, xml, uuid, bytea, date,
	// timestamp or timestamptz (the last shown in UTC); any other binary
	// value is shown as \x followed by its bytes in hex.
	Value string
	// Null is set for SQL NULL (Value is then "").
	Null bool
	// Binary is set when the client sent the value in binary format.
	Binary bool
}

// String is the value, or NULL.
func (p Param) String() string {
	if p.Null {
		return "NULL"
	}
	return p.Value
}

func (s Statement) clone() Statement {
	s.Params = append([]Param(nil), s.Params...)
	s.Tags = append([]string(nil), s.Tags...)
	return s
}

// session is the protocol state of one client connection. All of it is
// guarded by the Proxy's mutex.
type session struct {
	id       int
	app      string // application_name
	prepared map[string]*prepared
	portals  map[string]*portal
	// queue holds the client's messages that the server has yet to answer
	// completely, oldest first: the server answers in order.
	queue []item
	// aborted: an ErrorResponse came in the extended protocol, so the
	// server discards the client's messages until the next Sync.
	aborted bool
	// failure is the error of a Parse, Bind or Describe, waiting for the
	// Execute it prevented; failedSQL is that message's statement.
	failure   *serverError
	failedSQL string
	last      *record // the statement recorded last on the session
}

type prepared struct {
	sql  string
	oids []uint32 // parameter types, from Parse or ParameterDescription
}

type portal struct {
	sql       string
	params    []Param
	rec       *record // the statement its last Execute recorded
	suspended bool    // that Execute ended in PortalSuspended: the next continues it
}

// item is a client message awaiting its answer.
type item struct {
	kind byte // the client message type: Q P B D E C S F
	obj  byte // Describe's object type: 'S' statement or 'P' portal
	name string
	sql  string
	rec  *record // for Q and E
}

type serverError struct {
	severity, message, code, detail string
	position                        int
}

func newSession(id int, startup []byte) *session {
	c := &session{id: id, prepared: map[string]*prepared{}, portals: map[string]*portal{}}
	// The startup message's parameters: name NUL value NUL ... NUL.
	parts := strings.Split(string(startup[8:]), "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		if parts[i] == "application_name" {
			c.app = parts[i+1]
		}
	}
	return c
}

func (c *session) front() *item {
	if len(c.queue) == 0 {
		return nil
	}
	return &c.queue[0]
}

func (c *session) popIf(kind byte) {
	if f := c.front(); f != nil && f.kind == kind {
		c.queue = c.queue[1:]
	}
}

// add records a statement (p.mu held).
func (p *Proxy) add(c *session, st Statement) *record {
	st.Seq = len(p.recs)
	st.Conn = c.id
	st.Application = c.app
	r := &record{Statement: st}
	p.recs = append(p.recs, r)
	c.last = r
	return r
}

// fromClient reads a message the client sends, before it is forwarded.
func (p *Proxy) fromClient(c *session, typ byte, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	it := item{kind: typ}
	switch typ {
	case 'Q':
		var m pgproto3.Query
		if m.Decode(body) == nil {
			it.rec = p.add(c, Statement{SQL: m.String})
		}
	case 'P':
		var m pgproto3.Parse
		if m.Decode(body) == nil {
			c.prepared[m.Name] = &prepared{sql: m.Query, oids: m.ParameterOIDs}
			it.name, it.sql = m.Name, m.Query
		}
	case 'B':
		var m pgproto3.Bind
		if m.Decode(body) == nil {
			pt := &portal{}
			if ps := c.prepared[m.PreparedStatement]; ps != nil {
				pt.sql = ps.sql
				pt.params = decodeParams(&m, ps.oids)
			} else {
				pt.params = decodeParams(&m, nil)
			}
			c.portals[m.DestinationPortal] = pt
			it.name, it.sql = m.DestinationPortal, pt.sql
		}
	case 'D':
		var m pgproto3.Describe
		if m.Decode(body) == nil {
			it.obj, it.name = m.ObjectType, m.Name
			if ps := c.prepared[m.Name]; m.ObjectType == 'S' && ps != nil {
				it.sql = ps.sql
			} else if pt := c.portals[m.Name]; m.ObjectType == 'P' && pt != nil {
				it.sql = pt.sql
			}
		}
	case 'E':
		var m pgproto3.Execute
		if m.Decode(body) == nil {
			pt := c.portals[m.Portal]
			if pt == nil { // the server will say it does not exist
				pt = &portal{}
				c.portals[m.Portal] = pt
			}
			if pt.rec != nil && pt.suspended {
				pt.suspended = false
				it.rec = pt.rec // fetching more rows of the same statement
			} else {
				it.rec = p.add(c, Statement{SQL: pt.sql, Extended: true, Params: pt.params})
				pt.rec = it.rec
			}
			it.name, it.sql = m.Portal, pt.sql
		}
	case 'C', 'S', 'F':
		// Close, Sync and FunctionCall are answered; nothing to record.
	default:
		return
	}
	c.queue = append(c.queue, it)
}

// fromServer reads a message the server sends, before it is forwarded.
func (p *Proxy) fromServer(c *session, typ byte, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := c.front()
	switch typ {
	case 't': // ParameterDescription, answering Describe of a statement
		if f != nil && f.kind == 'D' && f.obj == 'S' {
			var m pgproto3.ParameterDescription
			if ps := c.prepared[f.name]; ps != nil && m.Decode(body) == nil {
				ps.oids = m.ParameterOIDs
			}
		}
	case 'T', 'n': // RowDescription or NoData: the end of a Describe's answer (or rows to come)
		c.popIf('D')
	case '1':
		c.popIf('P')
	case '2':
		c.popIf('B')
	case '3':
		c.popIf('C')
	case 'C', 'I', 's': // CommandComplete, EmptyQueryResponse, PortalSuspended
		if f == nil || f.rec == nil || (f.kind != 'E' && f.kind != 'Q') {
			return
		}
		f.rec.answered = true
		if typ == 'C' {
			var m pgproto3.CommandComplete
			if m.Decode(body) == nil {
				f.rec.Tags = append(f.rec.Tags, string(m.CommandTag))
			}
		}
		if f.kind == 'E' {
			if pt := c.portals[f.name]; typ == 's' && pt != nil && pt.rec == f.rec {
				pt.suspended = true
			}
			c.queue = c.queue[1:]
		}
	case 'E':
		var m pgproto3.ErrorResponse
		if m.Decode(body) != nil {
			return
		}
		sev := m.SeverityUnlocalized
		if sev == "" {
			sev = m.Severity
		}
		p.serverError(c, &serverError{severity: sev, message: m.Message, code: m.Code, detail: m.Detail, position: int(m.Position)})
		if sev == "FATAL" || sev == "PANIC" {
			p.problems = append(p.problems, "connection "+strconv.Itoa(c.id)+": the server refused or ended the session: "+m.Message+" (SQLSTATE "+m.Code+")")
		}
	case 'Z': // ReadyForQuery: everything up to the Sync, Query or FunctionCall is answered
		for i, it := range c.queue {
			if it.kind == 'S' || it.kind == 'Q' || it.kind == 'F' {
				p.settle(c, i+1, false)
				return
			}
		}
	}
}

// serverError files an ErrorResponse under the client message it answers.
func (p *Proxy) serverError(c *session, e *serverError) {
	f := c.front()
	if f == nil {
		return // not an answer: authentication refused, or the session ended
	}
	switch f.kind {
	case 'Q', 'E':
		if f.rec != nil {
			fail(f.rec, e)
		}
		if f.kind == 'E' {
			c.aborted = true
		}
	case 'S':
		// The implicit transaction's commit failed.
		if c.last != nil && !c.last.Failed {
			fail(c.last, e)
		}
	case 'F':
	default: // Parse, Bind, Describe or Close
		c.aborted = true
		if c.failure == nil {
			c.failure, c.failedSQL = e, f.sql
		}
	}
}

func fail(r *record, e *serverError) {
	r.answered = true
	r.Failed = true
	r.Error, r.Code, r.Detail, r.Position = e.message, e.code, e.detail, e.position
}

// settle removes the first n queued messages, answered now (by
// ReadyForQuery) or never (final: the connection ended). Statements among
// them without an answer were prevented by an earlier error of their
// pipeline (the first takes the error of a failed Parse or Bind, the
// others are Skipped), or, at the end of the connection, are Pending.
func (p *Proxy) settle(c *session, n int, final bool) {
	for _, it := range c.queue[:n] {
		if it.rec == nil || it.rec.answered {
			continue
		}
		switch {
		case c.failure != nil:
			fail(it.rec, c.failure)
			c.failure = nil
		case c.aborted:
			it.rec.Skipped = true
			it.rec.answered = true
		case final:
			it.rec.Pending = true
		}
	}
	c.queue = c.queue[n:]
	if c.failure != nil { // a Parse (or Bind) failed and no Execute followed it
		fail(p.add(c, Statement{SQL: c.failedSQL, Extended: true}), c.failure)
	}
	c.failure, c.aborted = nil, false
}
