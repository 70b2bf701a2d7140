package exampleshop

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	id, err := CreateUser(ctx, db, "ada@example.com", "Ada")
	if err != nil {
		t.Fatal(err)
	}
	u, err := GetUser(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ada@example.com" || u.Name != "Ada" {
		t.Fatalf("GetUser = %+v", u)
	}
}
