package git

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os/exec"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TreeFS is the file tree of one commit as a read-only fs.FS. File
// contents come from one long-running `git cat-file --batch`; Close stops
// it.
type TreeFS struct {
	repo   *Repo
	commit string
	blobs  map[string]blob          // file path -> blob
	dirs   map[string][]fs.DirEntry // dir path ("." for the root) -> sorted entries
	once   sync.Once
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	err    error
}

type blob struct {
	id   string
	size int64
	mode fs.FileMode
}

// FS returns the files of commit.
func (r *Repo) FS(ctx context.Context, commit string) (*TreeFS, error) {
	out, err := r.Git(ctx, "ls-tree", "-r", "-z", "--long", "--full-tree", commit)
	if err != nil {
		return nil, err
	}
	t := &TreeFS{repo: r, commit: commit, blobs: map[string]blob{}, dirs: map[string][]fs.DirEntry{".": nil}}
	for _, rec := range splitZ(out) {
		// <mode> SP <type> SP <object> SP+ <size> TAB <path>
		meta, p, ok := strings.Cut(rec, "\t")
		if !ok {
			return nil, fmt.Errorf("git ls-tree: unexpected line %q", rec)
		}
		f := strings.Fields(meta)
		if len(f) != 4 || f[1] != "blob" {
			continue // submodules (commit objects)
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		mode := fs.FileMode(0o644)
		if f[0] == "120000" {
			mode |= fs.ModeSymlink
		}
		t.blobs[p] = blob{id: f[2], size: size, mode: mode}
		t.addEntry(p, dirEntry{name: path.Base(p), mode: mode, size: size})
	}
	for d := range t.dirs {
		sort.Slice(t.dirs[d], func(i, j int) bool { return t.dirs[d][i].Name() < t.dirs[d][j].Name() })
	}
	return t, nil
}

// addEntry records p in its directory, creating parent directories.
func (t *TreeFS) addEntry(p string, e dirEntry) {
	dir := path.Dir(p)
	_, known := t.dirs[dir]
	t.dirs[dir] = append(t.dirs[dir], e)
	if !known && dir != "." {
		t.addEntry(dir, dirEntry{name: path.Base(dir), mode: fs.ModeDir | 0o755})
	}
}

// Files yields the path of every file in the tree.
func (t *TreeFS) Files() iter.Seq[string] {
	return func(yield func(string) bool) {
		for p := range t.blobs {
			if !yield(p) {
				return
			}
		}
	}
}

// Commit is the commit the tree belongs to.
func (t *TreeFS) Commit() string { return t.commit }

// Close stops the cat-file process, if one was started.
func (t *TreeFS) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cmd != nil {
		t.stdin.Close()
		t.cmd.Wait()
		t.cmd = nil
	}
	return nil
}

func (t *TreeFS) start() {
	cmd := exec.Command("git", "cat-file", "--batch")
	cmd.Dir = t.repo.Root
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.err = err
		return
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.err = err
		return
	}
	if err := cmd.Start(); err != nil {
		t.err = fmt.Errorf("start git cat-file: %w", err)
		return
	}
	t.cmd, t.stdin, t.stdout = cmd, stdin, bufio.NewReaderSize(stdout, 64<<10)
}

// blob is the blob of file name, or the error reading it gives.
func (t *TreeFS) blob(name string) (blob, error) {
	if !fs.ValidPath(name) {
		return blob{}, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	if b, ok := t.blobs[name]; ok {
		return b, nil
	}
	if _, isDir := t.dirs[name]; isDir {
		return blob{}, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return blob{}, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
}

// ReadFile returns the contents of the file name.
func (t *TreeFS) ReadFile(name string) ([]byte, error) {
	b, err := t.blob(name)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.once.Do(t.start)
	if t.err != nil {
		return nil, t.err
	}
	if t.cmd == nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrClosed}
	}
	if _, err := fmt.Fprintln(t.stdin, b.id); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	header, err := t.stdout.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	f := strings.Fields(header)
	if len(f) != 3 {
		return nil, fmt.Errorf("git cat-file: unexpected header %q", header)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("git cat-file: unexpected header %q", header)
	}
	data := make([]byte, size+1) // contents and the trailing newline
	if _, err := io.ReadFull(t.stdout, data); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return data[:size], nil
}

// ReadDir lists the directory name.
func (t *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	entries, ok := t.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return append([]fs.DirEntry(nil), entries...), nil
}

// Stat describes the file or directory name.
func (t *TreeFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if b, ok := t.blobs[name]; ok {
		return dirEntry{name: path.Base(name), mode: b.mode, size: b.size}, nil
	}
	if _, ok := t.dirs[name]; ok {
		return dirEntry{name: path.Base(name), mode: fs.ModeDir | 0o755}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// Open opens the file or directory name.
func (t *TreeFS) Open(name string) (fs.File, error) {
	info, err := t.Stat(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err.(*fs.PathError).Err}
	}
	if info.IsDir() {
		entries, _ := t.ReadDir(name)
		return &openDir{info: info, entries: entries}, nil
	}
	data, err := t.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &openFile{info: info, r: strings.NewReader(string(data))}, nil
}

type dirEntry struct {
	name string
	mode fs.FileMode
	size int64
}

func (e dirEntry) Name() string               { return e.name }
func (e dirEntry) IsDir() bool                { return e.mode.IsDir() }
func (e dirEntry) Type() fs.FileMode          { return e.mode.Type() }
func (e dirEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e dirEntry) Size() int64                { return e.size }
func (e dirEntry) Mode() fs.FileMode          { return e.mode }
func (e dirEntry) ModTime() time.Time         { return time.Time{} }
func (e dirEntry) Sys() any                   { return nil }

type openFile struct {
	info fs.FileInfo
	r    *strings.Reader
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *openFile) Close() error               { return nil }

type openDir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	off     int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: fmt.Errorf("is a directory")}
}
func (d *openDir) Close() error { return nil }
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}
