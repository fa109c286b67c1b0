package labelingapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

func (a *API) notifications(c echo.Context) error {
	p, err := access.Caller(c.Request().Context())
	if err != nil {
		return err
	}
	ns, err := a.DB.FindNotifications(c.Request().Context(), strings.ToLower(p.Email), 100)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": ns})
}

func (a *API) readNotification(c echo.Context) error {
	p, err := access.Caller(c.Request().Context())
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return model.Invalid("id", "notification id must be a number")
	}
	if err := a.DB.MarkNotificationRead(c.Request().Context(), strings.ToLower(p.Email), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

func (a *API) audit(c echo.Context) error {
	p, err := access.Caller(c.Request().Context())
	if err != nil {
		return err
	}
	if !p.Admin {
		return model.Errorf(model.PermissionDenied, "the audit log is for server admins")
	}
	limit, err := httpapi.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	if limit, err = httpapi.Limit("limit", limit, 100, 1000); err != nil {
		return err
	}
	before, err := httpapi.QueryInt(c, "before")
	if err != nil {
		return err
	}
	events, err := a.DB.FindAuditEvents(c.Request().Context(), int64(before), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}

func (a *API) listGrants(c echo.Context) error {
	exp := c.Param("experiment_id")
	if err := a.Access.Require(c.Request().Context(), access.Manage, exp); err != nil {
		return err
	}
	gs, err := a.DB.FindGrants(c.Request().Context(), exp)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"grants": gs})
}

func (a *API) grant(c echo.Context) error {
	exp := c.Param("experiment_id")
	ctx := c.Request().Context()
	if err := a.Access.Require(ctx, access.Manage, exp); err != nil {
		return err
	}
	var req struct {
		Email      string `json:"email"`
		Permission string `json:"permission"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	emails, err := store.NormalizeEmails("email", []string{req.Email})
	if err != nil {
		return model.Invalid("email", "%q is not an email address", req.Email)
	}
	lvl, err := store.ParsePermission("permission", req.Permission)
	if err != nil {
		return err
	}
	if err := a.DB.GrantPermission(ctx, exp, nil, emails[0], lvl, "grant", "", access.UserID(ctx)); err != nil {
		return err
	}
	return a.listGrants(c)
}

func (a *API) revoke(c echo.Context) error {
	exp := c.Param("experiment_id")
	ctx := c.Request().Context()
	if err := a.Access.Require(ctx, access.Manage, exp); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("grant"), 10, 64)
	if err != nil {
		return model.Invalid("grant", "grant id must be a number")
	}
	if err := a.DB.RevokeGrant(ctx, exp, id, access.UserID(ctx)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}
