// Package shop is release 2 of the split test application.
package shop

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// User is a customer.
type User struct {
	ID       int64
	Email    string
	FullName string
	Plan     string
}

// CreateUser stores a user and returns its id.
func CreateUser(ctx context.Context, db *pgx.Conn, email, fullName, plan string) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `INSERT INTO users (email, full_name, plan) VALUES ($1, $2, $3) RETURNING id`, email, fullName, plan).Scan(&id)
	return id, err
}

// GetUser reads a user.
func GetUser(ctx context.Context, db *pgx.Conn, id int64) (User, error) {
	u := User{ID: id}
	err := db.QueryRow(ctx, `SELECT email, full_name, plan FROM users WHERE id = $1`, id).Scan(&u.Email, &u.FullName, &u.Plan)
	return u, err
}

// RenameUser changes a user's full name.
func RenameUser(ctx context.Context, db *pgx.Conn, id int64, fullName string) error {
	_, err := db.Exec(ctx, `UPDATE users SET full_name = $2 WHERE id = $1`, id, fullName)
	return err
}

// AddMemo stores a memo of a user.
func AddMemo(ctx context.Context, db *pgx.Conn, userID int64, body string) error {
	_, err := db.Exec(ctx, `INSERT INTO memos (user_id, body) VALUES ($1, $2)`, userID, body)
	return err
}

// Memos counts a user's memos.
func Memos(ctx context.Context, db *pgx.Conn, userID int64) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT count(*) FROM memos WHERE user_id = $1`, userID).Scan(&n)
	return n, err
}
