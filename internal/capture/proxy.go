package capture

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Proxy is a TCP proxy between PostgreSQL clients and one upstream server
// that records the statements the clients send (see Statement). Bytes are
// forwarded unchanged in both directions, authentication included; the
// proxy decodes only the messages it records or needs to match answers to
// statements. It is safe for concurrent use and serves any number of
// connections.
type Proxy struct {
	ln       net.Listener
	upstream string
	ctx      context.Context // cancelled by Close: stops dials to upstream
	cancel   context.CancelFunc
	stop     func() bool // unregisters the close-on-ctx-done hook
	wg       sync.WaitGroup
	once     sync.Once

	mu       sync.Mutex
	closed   bool
	sockets  map[net.Conn]struct{} // open client and upstream sockets
	recs     []*record             // in execution order
	problems []string
	conns    int // sessions numbered so far
}

// record is a Statement being filled in by the answers of the server.
type record struct {
	Statement
	answered bool // a CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse came for it
}

// Protocol constants (PostgreSQL's protocol.h / pqcomm.h).
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
	maxStartupPacket  = 10000
	maxMessage        = 1 << 30
)

// Start listens on 127.0.0.1 (a port the system picks) and serves until
// Close, or until ctx is done. upstream is the server's host:port; the
// proxy connects to it in plaintext, so it must accept connections
// without SSL (pg_hba "host", not "hostssl").
func Start(ctx context.Context, upstream string) (*Proxy, error) {
	if _, _, err := net.SplitHostPort(upstream); err != nil {
		return nil, fmt.Errorf("capture proxy: upstream %q is not host:port: %w", upstream, err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("capture proxy: listen: %w", err)
	}
	p := &Proxy{ln: ln, upstream: upstream, sockets: map[net.Conn]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan struct{})
	p.stop = context.AfterFunc(ctx, func() {
		<-ready // p.stop is set
		p.Close()
	})
	close(ready)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address the proxy listens on (127.0.0.1:port): point the
// client's host and port there.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// RedirectURL returns the postgres:// (or postgresql://) URL dsn with its
// host and port replaced by the proxy's, and sslmode=disable unless dsn
// sets sslmode to disable, allow or prefer (a client requiring SSL cannot
// be captured).
func (p *Proxy) RedirectURL(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("capture proxy: not a postgres:// URL")
	}
	u.Host = p.Addr()
	q := u.Query()
	switch q.Get("sslmode") {
	case "disable", "allow", "prefer":
	default:
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Statements returns a copy of what has been recorded so far, in
// execution order (see Statement.Seq).
func (p *Proxy) Statements() []Statement {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Statement, len(p.recs))
	for i, r := range p.recs {
		out[i] = r.Statement.clone()
	}
	return out
}

// Problems lists what went wrong below the level of statements: clients
// that gave up because the proxy declined SSL, upstream connections that
// failed, connections the server refused (authentication) or ended
// (FATAL). Show them when the migrate command fails.
func (p *Proxy) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Close stops listening, closes every client and upstream connection and
// waits until all of the proxy's goroutines have returned. The recording
// stays readable. Close is idempotent.
func (p *Proxy) Close() error {
	var err error
	p.once.Do(func() {
		p.stop()
		p.cancel()
		p.mu.Lock()
		p.closed = true
		err = p.ln.Close()
		for s := range p.sockets {
			s.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return err
}

func (p *Proxy) problem(format string, args ...any) {
	p.mu.Lock()
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

// track registers a socket for Close; it reports false (and closes the
// socket) once the proxy is closed.
func (p *Proxy) track(s net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		s.Close()
		return false
	}
	p.sockets[s] = struct{}{}
	return true
}

func (p *Proxy) untrack(s net.Conn) {
	s.Close()
	p.mu.Lock()
	delete(p.sockets, s)
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			p.mu.Lock()
			closed := p.closed
			p.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			p.problem("capture proxy stopped accepting connections: %v", err)
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.sockets[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(c)
	}
}

// sslProblem explains a client that closed its connection after the proxy
// declined SSL.
const sslProblem = "a client asked for SSL, was told the server has none, and closed the connection: " +
	"a client that requires SSL (sslmode=require, verify-ca or verify-full) cannot be captured, because the proxy must read the statements in plaintext; " +
	"run the migrate command with sslmode=disable or sslmode=prefer (a pgx client with sslmode=prefer also closes once before reconnecting in plaintext, so this alone is not an error)"

// serve handles one client connection: the startup phase (SSL and GSS
// encryption requests declined, cancel requests forwarded), then the
// session, relayed message by message in both directions.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.untrack(client)
	cr := bufio.NewReaderSize(client, 32<<10)
	declinedSSL, declinedGSS := false, false
	var startup []byte
	for startup == nil {
		first, err := cr.Peek(1)
		if err != nil {
			if declinedSSL {
				p.problem("%s", sslProblem)
			} else if declinedGSS {
				p.problem("a client asked for GSSAPI encryption, was told the server has none, and closed the connection: a client with gssencmode=require cannot be captured; use gssencmode=disable or prefer")
			}
			return
		}
		if first[0] != 0 {
			if first[0] == 0x16 {
				p.problem("a client started TLS directly (sslnegotiation=direct): the capture proxy speaks only plaintext; run the migrate command with sslmode=disable or prefer and sslnegotiation=postgres")
			} else {
				p.problem("a client sent something that is not a PostgreSQL startup message (first byte 0x%02x)", first[0])
			}
			return
		}
		pkt, err := readStartup(cr)
		if err != nil {
			p.problem("a client sent an invalid startup message: %v", err)
			return
		}
		switch binary.BigEndian.Uint32(pkt[4:8]) {
		case sslRequestCode:
			declinedSSL = true
			if _, err := client.Write([]byte{'N'}); err != nil {
				return
			}
		case gssEncRequestCode:
			declinedGSS = true
			if _, err := client.Write([]byte{'N'}); err != nil {
				return
			}
		case cancelRequestCode:
			p.forwardCancel(pkt)
			return
		default:
			startup = pkt
		}
	}

	d := net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	server, err := d.DialContext(p.ctx, "tcp", p.upstream)
	if err != nil {
		if p.ctx.Err() != nil { // closing
			return
		}
		msg := fmt.Sprintf("phasegate capture proxy: cannot connect to PostgreSQL at %s: %v", p.upstream, err)
		p.problem("%s", msg)
		e := &pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "08001", Message: msg}
		if b, err := e.Encode(nil); err == nil {
			client.Write(b)
		}
		return
	}
	if !p.track(server) {
		return
	}
	defer p.untrack(server)

	p.mu.Lock()
	p.conns++
	c := newSession(p.conns, startup)
	p.mu.Unlock()

	if _, err := server.Write(startup); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		relay(bufio.NewReaderSize(server, 32<<10), client, fromServer, func(typ byte, body []byte) { p.fromServer(c, typ, body) })
		client.Close()
		server.Close()
	}()
	relay(cr, server, fromClient, func(typ byte, body []byte) { p.fromClient(c, typ, body) })
	client.Close()
	server.Close()
	<-done
	p.mu.Lock()
	p.settle(c, len(c.queue), true)
	p.mu.Unlock()
}

// readStartup reads a length-prefixed startup-phase packet (no type byte).
func readStartup(r *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	if n < 8 || n > maxStartupPacket {
		return nil, fmt.Errorf("length %d", n)
	}
	pkt := make([]byte, n)
	copy(pkt, hdr[:])
	if _, err := io.ReadFull(r, pkt[4:]); err != nil {
		return nil, err
	}
	return pkt, nil
}

// forwardCancel sends a CancelRequest upstream as it came: the backend key
// data the client holds is the server's own (the proxy forwards it
// untouched), so the server finds the backend to cancel.
func (p *Proxy) forwardCancel(pkt []byte) {
	d := net.Dialer{Timeout: 10 * time.Second}
	s, err := d.DialContext(p.ctx, "tcp", p.upstream)
	if err != nil {
		p.problem("cannot forward a cancel request to PostgreSQL at %s: %v", p.upstream, err)
		return
	}
	if !p.track(s) {
		return
	}
	defer p.untrack(s)
	if _, err := s.Write(pkt); err != nil {
		return
	}
	// The server closes the connection once it has read the request.
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.Copy(io.Discard, s)
}

// Messages whose content the proxy reads; all others are copied through
// without being held in memory.
func fromClient(typ byte) bool { return strings.IndexByte("QPBEDCSF", typ) >= 0 }
func fromServer(typ byte) bool { return strings.IndexByte("ECIstTn123ZV", typ) >= 0 }

// relay copies messages (type byte, length, body) from src to dst until
// either side fails; handle sees each message whose type decode accepts
// before it is forwarded.
func relay(src *bufio.Reader, dst net.Conn, decode func(byte) bool, handle func(typ byte, body []byte)) {
	w := bufio.NewWriterSize(dst, 32<<10)
	var hdr [5]byte
	for {
		if _, err := io.ReadFull(src, hdr[:]); err != nil {
			w.Flush()
			return
		}
		n := int64(int32(binary.BigEndian.Uint32(hdr[1:]))) - 4
		if n < 0 || n > maxMessage {
			w.Flush()
			return
		}
		if decode(hdr[0]) {
			body := make([]byte, n)
			if _, err := io.ReadFull(src, body); err != nil {
				w.Flush()
				return
			}
			handle(hdr[0], body)
			w.Write(hdr[:])
			w.Write(body)
		} else {
			w.Write(hdr[:])
			if _, err := io.CopyN(w, src, n); err != nil {
				w.Flush()
				return
			}
		}
		if src.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}
