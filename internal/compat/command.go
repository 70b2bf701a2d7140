package compat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Command is a shell command run for a scenario: the project's test suite
// or its migrate command.
type Command struct {
	// Script runs with sh -c in Dir.
	Script string
	Dir    string
	// Env is added to phasegate's own environment.
	Env     []string
	Timeout time.Duration
	// Stream, if set, receives the output as it comes, each line prefixed.
	Stream io.Writer
	Prefix string
	// Secrets are replaced by *** in the kept output.
	Secrets []string
	// Stdout, if set, receives the standard output alone as well (the
	// per-test results of go test -json), unredacted.
	Stdout io.Writer
}

// Outcome is how a command ended.
type Outcome struct {
	ExitCode int // -1 when it did not exit by itself
	TimedOut bool
	Duration time.Duration
	// Tail is the end of the combined output.
	Tail string
	// Err is set when the command could not start or was killed.
	Err error
}

// tailBytes bounds the output kept in memory per command.
const tailBytes = 64 << 10

// Run runs the command; cancelling ctx (or its timeout) kills its whole
// process group, so test runners' children do not outlive it.
func (c Command) Run(ctx context.Context) Outcome {
	start := time.Now()
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Script)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	tail := &tailBuffer{max: tailBytes}
	var w io.Writer = tail
	if c.Stream != nil {
		w = io.MultiWriter(tail, &prefixWriter{w: c.Stream, prefix: c.Prefix, secrets: c.Secrets})
	}
	cmd.Stdout, cmd.Stderr = w, w
	if c.Stdout != nil {
		cmd.Stdout = io.MultiWriter(w, c.Stdout)
	}
	err := cmd.Run()
	out := Outcome{ExitCode: -1, Duration: time.Since(start), Tail: redactAll(tail.String(), c.Secrets)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		out.TimedOut = true
		out.Err = fmt.Errorf("timed out after %s and was killed", c.Timeout)
	case ctx.Err() != nil:
		out.Err = fmt.Errorf("cancelled: %w", ctx.Err())
	case err == nil:
		out.ExitCode = 0
	case errors.As(err, &ee):
		out.ExitCode = ee.ExitCode()
	default:
		out.Err = err
	}
	return out
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu   sync.Mutex
	buf  []byte
	max  int
	drop bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
		t.drop = true
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(t.buf)
	if t.drop {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
	}
	return s
}

// lastLines returns at most n final lines of s.
func lastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// prefixWriter writes lines with a prefix.
type prefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  string
	partial []byte
	secrets []string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		line := redactAll(string(p.partial[:i+1]), p.secrets)
		io.WriteString(p.w, p.prefix+line)
		p.partial = p.partial[i+1:]
	}
	return len(b), nil
}

func redactAll(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}
