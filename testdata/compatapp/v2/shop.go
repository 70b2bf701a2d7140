package shop

import (
	"context"

	"github.com/jackc/pgx/v5"
)

type User struct {
	ID    int64
	Email string
}

func CreateUser(ctx context.Context, db *pgx.Conn, email string) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, "INSERT INTO users (email) VALUES ($1) RETURNING id", email).Scan(&id)
	return id, err
}

func GetUser(ctx context.Context, db *pgx.Conn, id int64) (User, error) {
	u := User{ID: id}
	err := db.QueryRow(ctx, "SELECT email FROM users WHERE id = $1", id).Scan(&u.Email)
	return u, err
}

func AddOrder(ctx context.Context, db *pgx.Conn, userID, cents int64) error {
	_, err := db.Exec(ctx, "INSERT INTO orders (user_id, total_cents) VALUES ($1, $2)", userID, cents)
	return err
}
