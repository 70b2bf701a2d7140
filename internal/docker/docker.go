// Package docker is the little of Docker's Engine API phasegate needs to
// run PostgreSQL in a container: is the engine there, is the image there,
// pull it, run a container with a published port, read its logs, remove
// it. It speaks HTTP to the engine of DOCKER_HOST (a unix socket, or tcp
// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), and nothing else: no
// helper container, no global configuration, no output of its own.
//
// It replaces testcontainers-go, whose reaper container, fallback to
// engines the user did not choose, global configuration and package
// initialisation (tens of milliseconds on every start of phasegate, the
// static check included) phasegate did not want.
package docker

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Client talks to one Docker engine.
type Client struct {
	http *http.Client
	base string // the URL requests go to
	// Host is the engine's address as DOCKER_HOST gives it (or the default
	// socket), for messages.
	Host string
	// PublishedHost is where the engine's published ports are reached:
	// 127.0.0.1 for a local socket, the engine's host for tcp, or
	// TESTCONTAINERS_HOST_OVERRIDE when set (the variable testcontainers
	// users already set where the engine runs elsewhere, e.g. in a
	// container whose ports are reached through the host's loopback).
	PublishedHost string
}

// DefaultSocket is the engine's socket when DOCKER_HOST is unset.
const DefaultSocket = "unix:///var/run/docker.sock"

// FromEnv returns a client of the engine DOCKER_HOST names, or of the
// default socket (and, when it is missing, the rootless one under
// XDG_RUNTIME_DIR, or Docker Desktop's under ~/.docker/run).
func FromEnv() (*Client, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = DefaultSocket
		var candidates []string
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
			candidates = append(candidates, filepath.Join(d, "docker.sock")) // rootless
		}
		if h := os.Getenv("HOME"); h != "" {
			candidates = append(candidates, filepath.Join(h, ".docker/run/docker.sock")) // Docker Desktop
		}
		if _, err := os.Stat("/var/run/docker.sock"); err != nil {
			for _, p := range candidates {
				if _, err := os.Stat(p); err == nil {
					host = "unix://" + p
					break
				}
			}
		}
	}
	c, err := New(host, os.Getenv("DOCKER_TLS_VERIFY") != "", os.Getenv("DOCKER_CERT_PATH"))
	if err != nil {
		return nil, err
	}
	if o := os.Getenv("TESTCONTAINERS_HOST_OVERRIDE"); o != "" {
		c.PublishedHost = o
	}
	return c, nil
}

// New returns a client of the engine at host (unix:///path or
// tcp://host:port), with TLS from certDir (ca.pem, cert.pem, key.pem) when
// verify is set.
func New(host string, verify bool, certDir string) (*Client, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("DOCKER_HOST %q: %v", host, err)
	}
	c := &Client{Host: host}
	tr := &http.Transport{}
	switch u.Scheme {
	case "unix":
		path := u.Path
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		c.base, c.PublishedHost = "http://docker", "127.0.0.1"
	case "tcp", "http", "https":
		scheme := "http"
		if verify || u.Scheme == "https" {
			scheme = "https"
			cfg, err := tlsConfig(certDir)
			if err != nil {
				return nil, err
			}
			tr.TLSClientConfig = cfg
		}
		c.base, c.PublishedHost = scheme+"://"+u.Host, u.Hostname()
	default:
		return nil, fmt.Errorf("DOCKER_HOST %q: phasegate speaks to unix:// and tcp:// engines", host)
	}
	c.http = &http.Client{Transport: tr}
	return c, nil
}

func tlsConfig(dir string) (*tls.Config, error) {
	if dir == "" {
		dir = filepath.Join(os.Getenv("HOME"), ".docker")
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		return nil, fmt.Errorf("DOCKER_TLS_VERIFY: client certificate in %s: %w", dir, err)
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, fmt.Errorf("DOCKER_TLS_VERIFY: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// Error is an error answer of the engine.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// NotFound reports an engine's "no such image/container".
func NotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// do sends a request and returns the body of a 2xx answer; the caller
// closes it.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any) (io.ReadCloser, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp.Body, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var msg struct{ Message string }
	if json.Unmarshal(b, &msg) != nil || msg.Message == "" {
		msg.Message = strings.TrimSpace(string(b))
	}
	return nil, &Error{Status: resp.StatusCode, Message: msg.Message}
}

func (c *Client) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	rc, err := c.do(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	defer rc.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, rc)
		return err
	}
	return json.NewDecoder(rc).Decode(out)
}

// Ping checks that the engine answers.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, http.MethodGet, "/_ping", nil, nil, nil)
}

// ImageExists reports whether the image is present on the engine.
func (c *Client) ImageExists(ctx context.Context, image string) (bool, error) {
	err := c.call(ctx, http.MethodGet, "/images/"+image+"/json", nil, nil, nil)
	switch {
	case err == nil:
		return true, nil
	case NotFound(err):
		return false, nil
	}
	return false, err
}

// Pull pulls an image (its tag, or latest), writing progress lines to log.
func (c *Client) Pull(ctx context.Context, image string, log io.Writer) error {
	ref := image
	if !strings.Contains(ref[strings.LastIndexByte(ref, '/')+1:], ":") && !strings.Contains(ref, "@") {
		ref += ":latest" // without a tag the engine would pull every tag
	}
	rc, err := c.do(ctx, http.MethodPost, "/images/create", url.Values{"fromImage": {ref}}, nil)
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	for sc.Scan() {
		var m struct{ Status, Error, ID string }
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if log != nil && m.Status != "" && m.ID == "" {
			fmt.Fprintln(log, m.Status)
		}
	}
	return sc.Err()
}

// Spec is a container to run.
type Spec struct {
	Image  string
	Cmd    []string
	Env    []string
	Labels map[string]string
	// Tmpfs mounts in-memory file systems (path → options).
	Tmpfs map[string]string
	// Port is the container port to publish ("5432/tcp") on a port the
	// engine picks.
	Port string
}

// Run creates and starts a container and returns its id. A container
// that was created but failed to start is removed.
func (c *Client) Run(ctx context.Context, s Spec) (string, error) {
	bind := "127.0.0.1"
	if !strings.HasPrefix(c.Host, "unix://") {
		bind = "" // a remote engine: its loopback is not ours
	}
	body := map[string]any{
		"Image": s.Image, "Cmd": s.Cmd, "Env": s.Env, "Labels": s.Labels,
		"ExposedPorts": map[string]any{s.Port: map[string]any{}},
		"HostConfig": map[string]any{
			"Tmpfs":        s.Tmpfs,
			"PortBindings": map[string]any{s.Port: []map[string]string{{"HostIp": bind, "HostPort": ""}}},
		},
	}
	var created struct{ ID string }
	if err := c.call(ctx, http.MethodPost, "/containers/create", nil, body, &created); err != nil {
		return "", fmt.Errorf("create the container: %w", err)
	}
	if err := c.call(ctx, http.MethodPost, "/containers/"+created.ID+"/start", nil, nil, nil); err != nil {
		c.Remove(context.WithoutCancel(ctx), created.ID)
		return "", fmt.Errorf("start the container: %w", err)
	}
	return created.ID, nil
}

// Inspect is what the engine says about a running container.
type Inspect struct {
	Running  bool
	ExitCode int
	// Port is the host port the Spec's port is published on.
	Port int
}

// Inspect reads a container's state and the host port of port.
func (c *Client) Inspect(ctx context.Context, id, port string) (Inspect, error) {
	var j struct {
		State struct {
			Running  bool
			ExitCode int
		}
		NetworkSettings struct {
			Ports map[string][]struct{ HostIP, HostPort string }
		}
	}
	if err := c.call(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &j); err != nil {
		return Inspect{}, err
	}
	out := Inspect{Running: j.State.Running, ExitCode: j.State.ExitCode}
	for _, b := range j.NetworkSettings.Ports[port] {
		if p, err := strconv.Atoi(b.HostPort); err == nil {
			out.Port = p
			break
		}
	}
	return out, nil
}

// Logs returns the last lines a container wrote (stdout and stderr).
func (c *Client) Logs(ctx context.Context, id string, tail int) (string, error) {
	rc, err := c.do(ctx, http.MethodGet, "/containers/"+id+"/logs", url.Values{"stdout": {"1"}, "stderr": {"1"}, "tail": {strconv.Itoa(tail)}}, nil)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	// Without a TTY the stream is multiplexed: an 8-byte header (stream,
	// 0, 0, 0, big-endian size) before each chunk.
	var b strings.Builder
	hdr := make([]byte, 8)
	for {
		if _, err := io.ReadFull(rc, hdr); err != nil {
			break
		}
		n := binary.BigEndian.Uint32(hdr[4:])
		if _, err := io.CopyN(&b, rc, int64(n)); err != nil {
			break
		}
	}
	return b.String(), nil
}

// Remove stops and removes a container with its anonymous volumes.
func (c *Client) Remove(ctx context.Context, id string) error {
	err := c.call(ctx, http.MethodDelete, "/containers/"+id, url.Values{"force": {"1"}, "v": {"1"}}, nil, nil)
	if NotFound(err) {
		return nil
	}
	return err
}

// List returns the ids of the containers that carry a label (key=value).
func (c *Client) List(ctx context.Context, label string) ([]string, error) {
	filters, _ := json.Marshal(map[string][]string{"label": {label}})
	var cs []struct {
		ID string `json:"Id"`
	}
	if err := c.call(ctx, http.MethodGet, "/containers/json", url.Values{"all": {"1"}, "filters": {string(filters)}}, nil, &cs); err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, ct := range cs {
		ids[i] = ct.ID
	}
	return ids, nil
}
