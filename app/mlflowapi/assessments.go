package mlflowapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

func (a *API) createAssessment(c echo.Context) error {
	var req struct {
		Assessment assessmentWire `json:"assessment"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	as, err := req.Assessment.toModel()
	if err != nil {
		return err
	}
	as.TraceID = c.Param("trace_id")
	as.AssessmentID = "" // ids are the server's to make
	saved, err := a.DB.CreateAssessment(c.Request().Context(), as)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"assessment": assessmentToWire(saved)})
}

func (a *API) getAssessment(c echo.Context) error {
	as, err := a.DB.FindAssessment(c.Request().Context(), c.Param("trace_id"), c.Param("assessment_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"assessment": assessmentToWire(as)})
}

func (a *API) updateAssessment(c echo.Context) error {
	var req struct {
		Assessment assessmentWire `json:"assessment"`
		UpdateMask string         `json:"update_mask"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("update_mask", req.UpdateMask); err != nil {
		return err
	}
	as, err := req.Assessment.toModel()
	if err != nil {
		return err
	}
	upd := store.AssessmentUpdate{Mask: strings.Split(req.UpdateMask, ","), New: as}
	if req.Assessment.Feedback != nil {
		upd.KindGiven = model.KindFeedback
	} else if req.Assessment.Expectation != nil {
		upd.KindGiven = model.KindExpectation
	}
	saved, err := a.DB.UpdateAssessment(c.Request().Context(), c.Param("trace_id"), c.Param("assessment_id"), upd)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"assessment": assessmentToWire(saved)})
}

func (a *API) deleteAssessment(c echo.Context) error {
	if err := a.DB.DeleteAssessment(c.Request().Context(), c.Param("trace_id"), c.Param("assessment_id")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}
