package source

import (
	"io/fs"
	"iter"
	"sync"
)

// CacheDirs returns fsys with each directory listed once. Detection asks
// every format about the same directories, and a history's directory holds
// thousands of files: listing it once instead of once a format was a tenth
// of a check. Files are read from fsys (together, if it is a BatchReader).
// Use it for one detection, not across changes to the files.
func CacheDirs(fsys fs.FS) fs.FS {
	if _, ok := fsys.(*dirCache); ok {
		return fsys
	}
	return &dirCache{FS: fsys, dirs: map[string]listing{}}
}

type dirCache struct {
	fs.FS
	mu   sync.Mutex
	dirs map[string]listing
}

type listing struct {
	entries []fs.DirEntry
	err     error
}

func (c *dirCache) ReadDir(name string) ([]fs.DirEntry, error) {
	c.mu.Lock()
	l, ok := c.dirs[name]
	c.mu.Unlock()
	if !ok {
		l.entries, l.err = fs.ReadDir(c.FS, name)
		c.mu.Lock()
		c.dirs[name] = l
		c.mu.Unlock()
	}
	return append([]fs.DirEntry(nil), l.entries...), l.err // the caller's to change
}

func (c *dirCache) ReadFile(name string) ([]byte, error) { return fs.ReadFile(c.FS, name) }

func (c *dirCache) Stat(name string) (fs.FileInfo, error) { return fs.Stat(c.FS, name) }

// ReadFiles makes every dirCache a BatchReader, over a plain fs.FS too:
// ReadEach reads those a few files at a time, as it would without the
// cache.
func (c *dirCache) ReadFiles(names []string) iter.Seq2[[]byte, error] {
	return ReadEach(c.FS, names)
}
