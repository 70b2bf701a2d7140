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
// together when fsys is a BatchReader. Otherwise a few goroutines read a
// few files ahead: opening and reading a small file costs a few system
// calls, which wait for the kernel and not for each other.
func ReadEach(fsys fs.FS, names []string) iter.Seq2[[]byte, error] {
	if br, ok := fsys.(BatchReader); ok {
		return br.ReadFiles(names)
	}
	return func(yield func([]byte, error) bool) {
		if len(names) < 4 {
			for _, name := range names {
				if !yield(fs.ReadFile(fsys, name)) {
					return
				}
			}
			return
		}
		type read struct {
			data []byte
			err  error
		}
		results := make([]chan read, len(names))
		for i := range results {
			results[i] = make(chan read, 1)
		}
		const readers, window = 4, 16
		slots := make(chan struct{}, window)
		next := make(chan int)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			defer close(next)
			for i := range names {
				select {
				case slots <- struct{}{}:
				case <-stop:
					return
				}
				next <- i
			}
		}()
		for range readers {
			go func() {
				for i := range next {
					data, err := fs.ReadFile(fsys, names[i])
					results[i] <- read{data, err}
				}
			}()
		}
		for i := range names {
			r := <-results[i]
			<-slots
			if !yield(r.data, r.err) {
				return
			}
		}
	}
}
