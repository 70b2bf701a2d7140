package source

import (
	"io/fs"
	"iter"
)

// BatchReader is an fs.FS that reads many files faster together than one
// at a time: a git revision's tree (git.TreeFS), read through one git
// process.
type BatchReader interface {
	fs.FS
	// ReadFiles yields the contents of names, in order.
	ReadFiles(names []string) iter.Seq2[[]byte, error]
}

// ReadEach yields the contents of the files names of fsys, in order, read
// together when fsys is a BatchReader.
func ReadEach(fsys fs.FS, names []string) iter.Seq2[[]byte, error] {
	if br, ok := fsys.(BatchReader); ok {
		return br.ReadFiles(names)
	}
	return func(yield func([]byte, error) bool) {
		for _, name := range names {
			if !yield(fs.ReadFile(fsys, name)) {
				return
			}
		}
	}
}
