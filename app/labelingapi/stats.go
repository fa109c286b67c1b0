package labelingapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/store"
)

// sessionStats is GET /api/assay/v1/sessions/:sid/stats (READ on the session's experiment):
// progress per reviewer, and per schema the answer distribution, the agreement between
// reviewers and the items they disagree on (SPEC §5.5).
func (a *API) sessionStats(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	reviewers, err := a.DB.FindReviewerStats(ctx, s.LabelingSessionID)
	if err != nil {
		return err
	}
	progress, err := a.DB.FindSessionProgress(ctx, s.LabelingSessionID)
	if err != nil {
		return err
	}
	acc := newAnswerSet()
	if err := a.DB.EachSessionAnswer(ctx, s.LabelingSessionID, func(ans store.SessionAnswer) error {
		acc.add(ans)
		return nil
	}); err != nil {
		return err
	}
	schemas, err := a.DB.SessionSchemas(ctx, s, acc.schemaNames())
	if err != nil {
		return err
	}
	out := make([]schemaStats, 0, len(schemas))
	for _, sc := range schemas {
		out = append(out, acc.stats(sc))
	}
	return c.JSON(http.StatusOK, map[string]any{
		"labeling_session_id": s.LabelingSessionID,
		"progress":            progress,
		"reviewers":           reviewers,
		"schemas":             out,
	})
}
