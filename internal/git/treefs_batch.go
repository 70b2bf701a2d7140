package git

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// ReadFiles yields the contents of the files names, in order. Where
// ReadFile asks git for one file and waits for it, ReadFiles has a git
// cat-file process of its own read all of them, the requests written while
// the answers are read: one round trip for the lot instead of one a file,
// which is most of the time of reading a long history one file at a time.
// A name that is not a file yields its error and the others follow.
// Stopping early stops the process.
func (t *TreeFS) ReadFiles(names []string) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		ids := make([]string, len(names))
		pathErrs := make([]error, len(names))
		wanted := 0
		for i, name := range names {
			b, err := t.blob(name)
			if err != nil {
				pathErrs[i] = err
				continue
			}
			ids[i] = b.id
			wanted++
		}
		if wanted == 0 {
			for _, err := range pathErrs {
				if !yield(nil, err) {
					return
				}
			}
			return
		}
		b, err := t.startBatch(ids)
		if err != nil {
			for range names {
				if !yield(nil, err) {
					return
				}
			}
			return
		}
		defer b.stop()
		for i := range names {
			if pathErrs[i] != nil {
				if !yield(nil, pathErrs[i]) {
					return
				}
				continue
			}
			if !yield(b.next()) {
				return
			}
		}
	}
}

// batch is a git cat-file --batch process reading a fixed list of blobs.
type batch struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	wrote  sync.WaitGroup
	err    error // the first error: the answers after it are not read
}

// startBatch starts git cat-file and writes the requests for ids (empty
// ids are skipped) from a goroutine, so that git never waits for a reader
// that waits for it.
func (t *TreeFS) startBatch(ids []string) (*batch, error) {
	cmd := exec.Command("git", "cat-file", "--batch", "--buffer")
	cmd.Dir = t.repo.Root
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	b := &batch{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 64<<10)}
	b.wrote.Add(1)
	go func() {
		defer b.wrote.Done()
		w := bufio.NewWriter(stdin)
		for _, id := range ids {
			if id == "" {
				continue
			}
			if _, err := w.WriteString(id + "\n"); err != nil {
				break // git stopped: next reports why
			}
		}
		w.Flush()
		stdin.Close()
	}()
	return b, nil
}

// next reads the next blob's contents.
func (b *batch) next() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	header, err := b.stdout.ReadString('\n')
	if err != nil {
		b.err = fmt.Errorf("git cat-file: %w", err)
		return nil, b.err
	}
	f := strings.Fields(header)
	var size int64
	if len(f) == 3 {
		size, err = strconv.ParseInt(f[2], 10, 64)
	}
	if len(f) != 3 || err != nil {
		b.err = fmt.Errorf("git cat-file: unexpected header %q", header)
		return nil, b.err
	}
	data := make([]byte, size+1) // contents and the trailing newline
	if _, err := io.ReadFull(b.stdout, data); err != nil {
		b.err = fmt.Errorf("git cat-file: %w", err)
		return nil, b.err
	}
	return data[:size], nil
}

// stop ends the process, whether or not every answer was read.
func (b *batch) stop() {
	b.stdin.Close()
	b.cmd.Process.Kill()
	b.wrote.Wait()
	b.cmd.Wait()
}
