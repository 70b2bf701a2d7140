// Package shop stores users and their orders.
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
}

// CreateUser stores a user and returns its id.
func CreateUser(ctx context.Context, db *pgx.Conn, email, name string) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id`, email, name).Scan(&id)
	return id, err
}

// GetUser reads a user.
func GetUser(ctx context.Context, db *pgx.Conn, id int64) (User, error) {
	u := User{ID: id}
	err := db.QueryRow(ctx, `SELECT email, name FROM users WHERE id = $1`, id).Scan(&u.Email, &u.Name)
	return u, err
}

// AddOrder records an order of a user.
func AddOrder(ctx context.Context, db *pgx.Conn, userID, cents int64) error {
	_, err := db.Exec(ctx, `INSERT INTO orders (user_id, total_cents) VALUES ($1, $2)`, userID, cents)
	return err
}

// Spent returns what a user spent in total.
func Spent(ctx context.Context, db *pgx.Conn, userID int64) (int64, error) {
	var total int64
	err := db.QueryRow(ctx, `SELECT coalesce(sum(total_cents), 0) FROM orders WHERE user_id = $1`, userID).Scan(&total)
	return total, err
}
