// Package labelingapi serves labeling: review apps, labeling sessions and their items on
// Databricks' managed-evals resource model, and Assay's own operations (adding traces by
// filter, the reviewer's flow, sync to datasets, notifications, audit, permissions).
package labelingapi

import (
	"context"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

type createReq = store.SessionCreate

// API holds what the labeling handlers need.
type API struct {
	DB     *store.DB
	Access *access.Checker
	// PublicURL is where users reach Assay; session links point into its Review App.
	PublicURL string
	// ReviewerAccess is "experiment" (assigned reviewers get EDIT on the experiment) or
	// "session" (they see only their sessions' items).
	ReviewerAccess string
}

// SessionURL is the Review App link of a session.
func (a *API) SessionURL(id string) string {
	return strings.TrimRight(a.PublicURL, "/") + "/review/" + id
}

// actor describes the caller for the store's records, audit and grants.
func (a *API) actor(ctx context.Context) store.Actor {
	act := store.Actor{GrantReviewers: a.ReviewerAccess != "session", ReviewLinkBase: strings.TrimRight(a.PublicURL, "/") + "/review/"}
	if p, err := access.Caller(ctx); err == nil {
		act.Email, act.UserID = p.Email, &p.UserID
		if act.Email == "" {
			act.Email = "user:" + itoa(p.UserID)
		}
	}
	return act
}

// session loads a session (from :labeling_session_id or :sid) and checks the caller's level on
// its experiment; review-app routes also check the session belongs to the app in the path.
func (a *API) session(c echo.Context, level int) (model.LabelingSession, error) {
	id := c.Param("sid")
	s, err := a.DB.FindSession(c.Request().Context(), id)
	if err != nil {
		return s, err
	}
	if app := c.Param("app"); app != "" && app != s.ReviewAppID {
		return s, model.Errorf(model.ResourceDoesNotExist, "Labeling session '%s' does not exist in review app '%s'", id, app)
	}
	return s, a.Access.Require(c.Request().Context(), level, s.ExperimentID)
}

// reviewSession loads a session for its reviewer: the caller must be assigned to it, or be an
// admin, or hold MANAGE on its experiment. It returns the reviewer identity (the caller's email).
func (a *API) reviewSession(c echo.Context) (model.LabelingSession, string, error) {
	ctx := c.Request().Context()
	p, err := access.Caller(ctx)
	if err != nil {
		return model.LabelingSession{}, "", err
	}
	s, err := a.DB.FindSession(ctx, c.Param("sid"))
	if err != nil {
		return s, "", err
	}
	reviewer := strings.ToLower(p.Email)
	if reviewer != "" && contains(s.AssignedUsers, reviewer) {
		return s, reviewer, nil
	}
	if err := a.Access.Require(ctx, access.Manage, s.ExperimentID); err != nil {
		return s, "", model.Errorf(model.PermissionDenied, "you are not a reviewer of labeling session '%s'", s.LabelingSessionID)
	}
	if reviewer == "" {
		reviewer = "user:" + itoa(p.UserID)
	}
	return s, reviewer, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
