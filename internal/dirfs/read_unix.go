//go:build unix

package dirfs

import (
	"io/fs"
	"syscall"
)

// readFile reads the file at path: open, fstat for its size, read until
// that many bytes or the end, close. A file that grows between the fstat
// and the read is read to the size it had, as a reader racing a writer
// may.
func readFile(path string, _ fs.FS, _ string) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		return nil, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	regular := st.Mode&syscall.S_IFMT == syscall.S_IFREG
	size := int(st.Size)
	if !regular || size <= 0 {
		size = 512 // a size fstat does not know (a pipe, /proc): read to the end
	}
	buf := make([]byte, 0, size)
	for {
		// At most 1 GiB a read: darwin and the BSDs refuse reads of 2 GiB
		// or more (os caps its reads the same way).
		n, err := syscall.Read(fd, buf[len(buf):min(cap(buf), len(buf)+1<<30)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if regular && int64(len(buf)) == st.Size {
			return buf, nil // all fstat promised: no read to find the end
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
	}
}
