package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/assay-labs/assay/app/model"
)

// nowMs is the current time in milliseconds since the epoch, the unit of every *_time column.
func nowMs() int64 { return time.Now().UnixMilli() }

// NewHexID returns n random bytes as lower-case hex.
func NewHexID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b)
}

// inTx runs fn in one write transaction (BEGIN IMMEDIATE on the single writer connection) and
// commits it when fn returns nil. Everything a request writes goes through one call, so a
// rejected request stores nothing.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.Writer.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// mapErr turns SQLite's errors into application errors in one place.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return &model.Error{Code: model.ResourceAlreadyExists, Message: "already exists: " + se.Error()}
		case sqlite3.ErrConstraintForeignKey:
			return &model.Error{Code: model.ResourceDoesNotExist, Message: "refers to something that does not exist"}
		}
	}
	return err
}

// queryer is what both *sql.DB and *sql.Tx offer, so reads can run inside or outside a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	b := make([]byte, 0, n*3)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '?')
	}
	return string(b)
}

// nullIfEmpty stores "" as NULL.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
