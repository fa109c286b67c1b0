// Package access decides who may do what: server admins may do everything; everyone else holds
// per-experiment permissions (READ < EDIT < MANAGE). Handlers ask it with the caller taken from
// the request context, where the auth middleware put it.
package access

import (
	"context"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// Levels, re-exported so handlers need not import the store for them.
const (
	Read   = store.PermRead
	Edit   = store.PermEdit
	Manage = store.PermManage
)

// Checker answers permission questions against the database.
type Checker struct {
	DB *store.DB
}

// Caller returns the signed-in principal, or an UNAUTHENTICATED error.
func Caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return p, model.Errorf(model.Unauthenticated, "sign in, or send an API token as 'Authorization: Bearer <token>'")
	}
	return p, nil
}

// Require fails with PERMISSION_DENIED unless the caller holds at least level on every experiment.
func (ch *Checker) Require(ctx context.Context, level int, experimentIDs ...string) error {
	p, err := Caller(ctx)
	if err != nil {
		return err
	}
	if p.Admin {
		return nil
	}
	for _, id := range experimentIDs {
		got, err := ch.DB.ExperimentPermission(ctx, p.UserID, id)
		if err != nil {
			return err
		}
		if got < level {
			return model.Errorf(model.PermissionDenied, "you need %s permission on experiment %s", store.PermissionNames[level], id)
		}
	}
	return nil
}

// VisibleTo is the user id a listing must be restricted to, or nil for admins who see everything.
func VisibleTo(ctx context.Context) (*int64, error) {
	p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.Admin {
		return nil, nil
	}
	return &p.UserID, nil
}

// UserID returns the caller's user id, for records of who did something.
func UserID(ctx context.Context) *int64 {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return nil
	}
	return &p.UserID
}
