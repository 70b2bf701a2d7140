// Package shop is release 1 of the split test application.
package shop

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// User is a customer.
type User struct {
	ID    int64
	Email string
	Name  string
	Flags int
}

// CreateUser stores a user and returns its id.
func CreateUser(ctx context.Context, db *pgx.Conn, email, name string, flags int) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `INSERT INTO users (email, name, legacy_flags) VALUES ($1, $2, $3) RETURNING id`, email, name, flags).Scan(&id)
	return id, err
}

// GetUser reads a user.
func GetUser(ctx context.Context, db *pgx.Conn, id int64) (User, error) {
	u := User{ID: id}
	err := db.QueryRow(ctx, `SELECT email, name, legacy_flags FROM users WHERE id = $1`, id).Scan(&u.Email, &u.Name, &u.Flags)
	return u, err
}

// RenameUser changes a user's name.
func RenameUser(ctx context.Context, db *pgx.Conn, id int64, name string) error {
	_, err := db.Exec(ctx, `UPDATE users SET name = $2 WHERE id = $1`, id, name)
	return err
}

// AddNote stores a note of a user.
func AddNote(ctx context.Context, db *pgx.Conn, userID int64, body string) error {
	_, err := db.Exec(ctx, `INSERT INTO notes (user_id, body) VALUES ($1, $2)`, userID, body)
	return err
}

// Notes counts a user's notes.
func Notes(ctx context.Context, db *pgx.Conn, userID int64) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT count(*) FROM notes WHERE user_id = $1`, userID).Scan(&n)
	return n, err
}
