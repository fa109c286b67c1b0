package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/assay-labs/assay/app/model"
)

// ReviewAppForExperiment returns the experiment's review app, creating it on first use.
func (db *DB) ReviewAppForExperiment(ctx context.Context, experimentID string) (model.ReviewApp, error) {
	var app model.ReviewApp
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		app, err = reviewAppTx(ctx, tx, experimentID)
		return err
	})
	return app, err
}

func reviewAppTx(ctx context.Context, tx *sql.Tx, experimentID string) (model.ReviewApp, error) {
	exp, err := requireActiveExperiment(ctx, tx, experimentID)
	if err != nil {
		return model.ReviewApp{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO review_apps (review_app_id, experiment_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		NewHexID(16), exp, nowMs()); err != nil {
		return model.ReviewApp{}, err
	}
	return scanReviewApp(tx.QueryRowContext(ctx, `SELECT review_app_id, experiment_id, agents FROM review_apps WHERE experiment_id = ?`, exp))
}

func scanReviewApp(row *sql.Row) (model.ReviewApp, error) {
	var a model.ReviewApp
	var exp int64
	var agents string
	err := row.Scan(&a.ReviewAppID, &exp, &agents)
	a.ExperimentID, a.Agents = strconv.FormatInt(exp, 10), json.RawMessage(agents)
	return a, err
}

// FindReviewApp returns a review app by id.
func (db *DB) FindReviewApp(ctx context.Context, id string) (model.ReviewApp, error) {
	a, err := scanReviewApp(db.Reader.QueryRowContext(ctx, `SELECT review_app_id, experiment_id, agents FROM review_apps WHERE review_app_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, model.Errorf(model.ResourceDoesNotExist, "Review app '%s' does not exist", id)
	}
	return a, err
}

// SetReviewAppAgents replaces a review app's agents (a JSON list).
func (db *DB) SetReviewAppAgents(ctx context.Context, id string, agents json.RawMessage) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE review_apps SET agents = ? WHERE review_app_id = ?`, string(agents), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "Review app '%s' does not exist", id)
		}
		return nil
	})
}
