package compat

import (
	"context"
	"fmt"
	"io"

	"github.com/phasegate/phasegate/internal/config"
)

// Scratch gives new, empty databases on a PostgreSQL it starts (or
// connects to, for config.Server's URL) the first time one is asked for:
// for an ORM that writes its migrations' SQL from a live database
// (Django), and for a migrate command phasegate records (format capture).
// The static check needs no server otherwise, so none starts.
type Scratch struct {
	server config.Server
	log    io.Writer
	hint   string
	srv    *Server
	n      int
}

// NewScratch gives databases on server; log, if set, says when a
// container starts, and why. hint ends the error when no server starts
// (ContainerOptions.Hint): the command that needs one and its flags say
// what helps, never --static-only, which needs the server too.
func NewScratch(server config.Server, log io.Writer, hint string) *Scratch {
	return &Scratch{server: server, log: log, hint: hint}
}

// Database creates a new, empty database and returns its URL.
func (s *Scratch) Database(ctx context.Context) (string, error) {
	if s.srv == nil {
		var err error
		LogDocker(nil)
		if s.server.URL != "" {
			s.srv, err = Connect(ctx, s.server.URL, s.hint)
		} else {
			if s.log != nil {
				fmt.Fprintf(s.log, "phasegate: starting PostgreSQL (%s): the migrations' SQL is taken on a live database (django, capture)\n", s.server.Image)
			}
			s.srv, err = StartContainer(ctx, ContainerOptions{Image: s.server.Image, Pull: s.server.Pull, Hint: s.hint})
		}
		if err != nil {
			return "", err
		}
	}
	s.n++
	db, err := s.srv.Create(ctx, fmt.Sprintf("render%d", s.n), nil)
	if err != nil {
		return "", err
	}
	return db.URL(), nil
}

// Close drops the databases and stops the container, if any were made;
// Database starts again after it.
func (s *Scratch) Close() error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	s.srv = nil
	return err
}
