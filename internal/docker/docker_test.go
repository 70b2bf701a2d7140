package docker

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// engine is a fake Docker engine on a unix socket: it answers the calls
// phasegate makes and records them.
func engine(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(handle)}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c, err := New("unix://"+sock, false, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClient(t *testing.T) {
	var calls []string
	var created map[string]any
	c := engine(t, func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.Method+" "+r.URL.Path)
		switch {
		case r.URL.Path == "/_ping":
			io.WriteString(w, "OK")
		case r.URL.Path == "/images/local/postgres:15/json":
			io.WriteString(w, "{}")
		case strings.HasPrefix(r.URL.Path, "/images/") && strings.HasSuffix(r.URL.Path, "/json"):
			w.WriteHeader(404)
			io.WriteString(w, `{"message":"No such image"}`)
		case r.URL.Path == "/images/create":
			if r.URL.Query().Get("fromImage") != "nope:latest" {
				t.Errorf("pull of %q", r.URL.Query().Get("fromImage"))
			}
			io.WriteString(w, "{\"status\":\"Pulling from library/nope\"}\n{\"error\":\"pull access denied for nope\"}\n")
		case r.URL.Path == "/containers/create":
			json.NewDecoder(r.Body).Decode(&created)
			io.WriteString(w, `{"Id":"abc123"}`)
		case r.URL.Path == "/containers/abc123/start":
			w.WriteHeader(204)
		case r.URL.Path == "/containers/abc123/json":
			io.WriteString(w, `{"State":{"Running":true},"NetworkSettings":{"Ports":{"5432/tcp":[{"HostIp":"127.0.0.1","HostPort":"49153"}]}}}`)
		case r.URL.Path == "/containers/abc123/logs":
			var b bytes.Buffer
			for _, s := range []string{"initdb done\n", "ready to accept connections\n"} {
				hdr := []byte{1, 0, 0, 0, 0, 0, 0, 0}
				binary.BigEndian.PutUint32(hdr[4:], uint32(len(s)))
				b.Write(hdr)
				b.WriteString(s)
			}
			w.Write(b.Bytes())
		case r.Method == http.MethodDelete && r.URL.Path == "/containers/gone":
			w.WriteHeader(404)
			io.WriteString(w, `{"message":"No such container: gone"}`)
		case r.Method == http.MethodDelete:
			if r.URL.Query().Get("force") != "1" {
				t.Error("remove without force")
			}
			w.WriteHeader(204)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(500)
		}
	})
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.ImageExists(ctx, "local/postgres:15"); !ok || err != nil {
		t.Errorf("ImageExists(local/postgres:15) = %v, %v", ok, err)
	}
	if ok, err := c.ImageExists(ctx, "nope"); ok || err != nil {
		t.Errorf("ImageExists(nope) = %v, %v", ok, err)
	}
	if err := c.Pull(ctx, "nope", nil); err == nil || !strings.Contains(err.Error(), "pull access denied") {
		t.Errorf("Pull: %v", err)
	}
	id, err := c.Run(ctx, Spec{Image: "local/postgres:15", Cmd: []string{"postgres"}, Labels: map[string]string{"a": "b"},
		Tmpfs: map[string]string{"/data": "rw"}, Port: "5432/tcp"})
	if err != nil || id != "abc123" {
		t.Fatalf("Run = %q, %v", id, err)
	}
	hc := created["HostConfig"].(map[string]any)
	if hc["Tmpfs"].(map[string]any)["/data"] != "rw" || !strings.Contains(mustJSON(hc["PortBindings"]), `"HostIp":"127.0.0.1"`) {
		t.Errorf("created %v", created)
	}
	st, err := c.Inspect(ctx, id, "5432/tcp")
	if err != nil || !st.Running || st.Port != 49153 {
		t.Errorf("Inspect = %+v, %v", st, err)
	}
	if logs, err := c.Logs(ctx, id, 10); err != nil || logs != "initdb done\nready to accept connections\n" {
		t.Errorf("Logs = %q, %v", logs, err)
	}
	if err := c.Remove(ctx, id); err != nil {
		t.Error(err)
	}
	if err := c.Remove(ctx, "gone"); err != nil {
		t.Errorf("removing a container that is gone: %v", err)
	}
	if c.PublishedHost != "127.0.0.1" {
		t.Errorf("published host %q", c.PublishedHost)
	}
}

func TestNew(t *testing.T) {
	c, err := New("tcp://docker.example:2375", false, "")
	if err != nil || c.base != "http://docker.example:2375" || c.PublishedHost != "docker.example" {
		t.Errorf("tcp: %+v, %v", c, err)
	}
	if _, err := New("npipe:////./pipe/docker_engine", false, ""); err == nil || !strings.Contains(err.Error(), "unix:// and tcp://") {
		t.Errorf("npipe: %v", err)
	}
	if _, err := New("tcp://x:2376", true, t.TempDir()); err == nil || !strings.Contains(err.Error(), "DOCKER_TLS_VERIFY") {
		t.Errorf("TLS without certificates: %v", err)
	}
	t.Setenv("DOCKER_HOST", "tcp://engine.example:2375")
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "10.0.0.5")
	if c, err := FromEnv(); err != nil || c.PublishedHost != "10.0.0.5" || c.Host != "tcp://engine.example:2375" {
		t.Errorf("FromEnv: %+v, %v", c, err)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
