// Package exampleshop is the example application of phasegate's README.
package exampleshop

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// User is a customer.
type User struct {
	ID          int64
	Email, Name string
	LegacyFlags int
}

// CreateUser stores a user.
func CreateUser(ctx context.Context, db *pgx.Conn, email, name string) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id`, email, name).Scan(&id)
	return id, err
}

// GetUser reads a user.
func GetUser(ctx context.Context, db *pgx.Conn, id int64) (User, error) {
	u := User{ID: id}
	err := db.QueryRow(ctx, `SELECT email, name, legacy_flags FROM users WHERE id = $1`, id).Scan(&u.Email, &u.Name, &u.LegacyFlags)
	return u, err
}
