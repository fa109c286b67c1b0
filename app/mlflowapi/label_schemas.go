package mlflowapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/auth"
)

// ossInput is MLflow OSS's LabelSchemaInput: four variants, categorical with multi_select.
// Assay's categorical_list travels as categorical{multi_select: true}; its text_list travels as
// text (so the OSS client, which knows no text_list, still parses it) with text_list beside it
// for clients that know it.
type ossInput struct {
	PassFail    *model.InputPassFail `json:"pass_fail,omitempty"`
	Categorical *struct {
		Options     []string `json:"options"`
		MultiSelect bool     `json:"multi_select"`
	} `json:"categorical,omitempty"`
	Numeric         *model.InputNumeric  `json:"numeric,omitempty"`
	Text            *model.InputText     `json:"text,omitempty"`
	TextList        *model.InputTextList `json:"text_list,omitempty"`
	CategoricalList *model.InputOptions  `json:"categorical_list,omitempty"`
}

func toOSSInput(in model.LabelInput) ossInput {
	var o ossInput
	switch {
	case in.Categorical != nil:
		o.Categorical = &struct {
			Options     []string `json:"options"`
			MultiSelect bool     `json:"multi_select"`
		}{in.Categorical.Options, false}
	case in.CategoricalList != nil:
		o.Categorical = &struct {
			Options     []string `json:"options"`
			MultiSelect bool     `json:"multi_select"`
		}{in.CategoricalList.Options, true}
	case in.TextList != nil:
		o.Text, o.TextList = &model.InputText{MaxLength: in.TextList.MaxLengthEach}, in.TextList
	default:
		o.PassFail, o.Numeric, o.Text = in.PassFail, in.Numeric, in.Text
	}
	return o
}

// toModel reads an OSS input; Databricks-style keys (categorical_list, text_list) are accepted too.
func (o ossInput) toModel() model.LabelInput {
	var in model.LabelInput
	switch {
	case o.TextList != nil:
		in.TextList = o.TextList
	case o.CategoricalList != nil:
		in.CategoricalList = o.CategoricalList
	case o.Categorical != nil && o.Categorical.MultiSelect:
		in.CategoricalList = &model.InputOptions{Options: o.Categorical.Options}
	case o.Categorical != nil:
		in.Categorical = &model.InputOptions{Options: o.Categorical.Options}
	}
	if in.TextList == nil && in.CategoricalList == nil && in.Categorical == nil {
		in.PassFail, in.Numeric, in.Text = o.PassFail, o.Numeric, o.Text
	}
	return in
}

// labelSchemaWire is MLflow OSS's LabelSchema message (type in upper case), plus Assay's title,
// version and builtin.
type labelSchemaWire struct {
	SchemaID      string   `json:"schema_id"`
	ExperimentID  string   `json:"experiment_id"`
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Title         string   `json:"title,omitempty"`
	Instruction   string   `json:"instruction,omitempty"`
	EnableComment bool     `json:"enable_comment"`
	Input         ossInput `json:"input"`
	CreatedBy     string   `json:"created_by,omitempty"`
	CreatedAt     int64    `json:"created_at"`
	UpdatedAt     int64    `json:"last_updated_at"`
	Version       int      `json:"version"`
	BuiltIn       bool     `json:"builtin"`
}

func labelSchemaToWire(s model.LabelSchema) labelSchemaWire {
	return labelSchemaWire{SchemaID: s.SchemaID, ExperimentID: s.ExperimentID, Name: s.Name, Type: strings.ToUpper(s.Type), Title: s.Title,
		Instruction: s.Instruction, EnableComment: s.EnableComment, Input: toOSSInput(s.Input), CreatedBy: s.CreatedBy,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version, BuiltIn: s.BuiltIn}
}

// schemaType reads FEEDBACK/EXPECTATION in any case.
func schemaType(t string) (string, error) {
	switch strings.ToLower(strings.TrimPrefix(strings.ToUpper(t), "LABEL_SCHEMA_TYPE_")) {
	case "feedback":
		return model.SchemaFeedback, nil
	case "expectation":
		return model.SchemaExpectation, nil
	}
	return "", model.Invalid("type", "type must be FEEDBACK or EXPECTATION, got %q", t)
}

type createSchemaRequest struct {
	ExperimentID  string    `json:"experiment_id"`
	Name          string    `json:"name"`
	Type          string    `json:"type"`
	Title         string    `json:"title"`
	Instruction   string    `json:"instruction"`
	EnableComment bool      `json:"enable_comment"`
	Input         *ossInput `json:"input"`
	Overwrite     bool      `json:"overwrite"`
}

func (a *API) saveLabelSchema(c echo.Context, overwrite bool) error {
	var req createSchemaRequest
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("experiment_id", req.ExperimentID); err != nil {
		return err
	}
	t, err := schemaType(req.Type)
	if err != nil {
		return err
	}
	if req.Input == nil {
		return model.Invalid("input", "input is required")
	}
	s := model.LabelSchema{ExperimentID: req.ExperimentID, Name: req.Name, Type: t, Title: req.Title, Instruction: req.Instruction,
		EnableComment: req.EnableComment, Input: req.Input.toModel(), CreatedBy: callerEmail(c)}
	saved, err := a.DB.SaveLabelSchema(c.Request().Context(), s, overwrite || req.Overwrite)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"label_schema": labelSchemaToWire(saved)})
}

func (a *API) createLabelSchema(c echo.Context) error { return a.saveLabelSchema(c, false) }
func (a *API) upsertLabelSchema(c echo.Context) error { return a.saveLabelSchema(c, true) }

func (a *API) getLabelSchema(c echo.Context) error {
	id := c.QueryParam("schema_id")
	if err := httpapi.Required("schema_id", id); err != nil {
		return err
	}
	s, err := a.DB.FindLabelSchemaByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"label_schema": labelSchemaToWire(s)})
}

func (a *API) getLabelSchemaByName(c echo.Context) error {
	exp, name := c.QueryParam("experiment_id"), c.QueryParam("name")
	if err := httpapi.Required("experiment_id", exp); err != nil {
		return err
	}
	if err := httpapi.Required("name", name); err != nil {
		return err
	}
	s, err := a.DB.FindLabelSchemaByName(c.Request().Context(), exp, name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"label_schema": labelSchemaToWire(s)})
}

func (a *API) listLabelSchemas(c echo.Context) error {
	exp := c.QueryParam("experiment_id")
	if err := httpapi.Required("experiment_id", exp); err != nil {
		return err
	}
	n, err := httpapi.QueryInt(c, "max_results")
	if err != nil {
		return err
	}
	limit, err := httpapi.Limit("max_results", n, 100, 1000)
	if err != nil {
		return err
	}
	offset, err := httpapi.ParsePageToken(c.QueryParam("page_token"))
	if err != nil {
		return err
	}
	ss, err := a.DB.FindLabelSchemas(c.Request().Context(), exp, limit+1, offset)
	if err != nil {
		return err
	}
	ss, next := httpapi.Page(ss, offset, limit)
	resp := map[string]any{"next_page_token": next}
	wire := make([]labelSchemaWire, 0, len(ss))
	for _, s := range ss {
		wire = append(wire, labelSchemaToWire(s))
	}
	resp["label_schemas"] = wire
	return c.JSON(http.StatusOK, resp)
}

func (a *API) updateLabelSchema(c echo.Context) error {
	var req struct {
		SchemaID      string    `json:"schema_id"`
		Name          *string   `json:"name"`
		Title         *string   `json:"title"`
		Instruction   *string   `json:"instruction"`
		EnableComment *bool     `json:"enable_comment"`
		Input         *ossInput `json:"input"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("schema_id", req.SchemaID); err != nil {
		return err
	}
	saved, err := a.DB.UpdateLabelSchema(c.Request().Context(), req.SchemaID, func(s *model.LabelSchema) error {
		if req.Name != nil {
			s.Name = *req.Name
		}
		if req.Title != nil {
			s.Title = *req.Title
		}
		if req.Instruction != nil {
			s.Instruction = *req.Instruction
		}
		if req.EnableComment != nil {
			s.EnableComment = *req.EnableComment
		}
		if req.Input != nil {
			next := req.Input.toModel()
			if next.Kind() != s.Input.Kind() {
				return model.Invalid("input", "the input kind of a label schema cannot change (%s → %s)", s.Input.Kind(), next.Kind())
			}
			s.Input = next
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"label_schema": labelSchemaToWire(saved)})
}

func (a *API) deleteLabelSchema(c echo.Context) error {
	var req struct {
		SchemaID string `json:"schema_id"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil { // the MLflow client sends a JSON body with DELETE
		return err
	}
	if req.SchemaID == "" {
		req.SchemaID = c.QueryParam("schema_id")
	}
	if err := httpapi.Required("schema_id", req.SchemaID); err != nil {
		return err
	}
	if err := a.DB.DeleteLabelSchema(c.Request().Context(), req.SchemaID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

// callerEmail names the caller in created_by fields.
func callerEmail(c echo.Context) string {
	if p, ok := auth.PrincipalFrom(c.Request().Context()); ok {
		return p.Email
	}
	return ""
}

// author is who a write is recorded as made by: the signed-in user (session or API token), so a
// client cannot attribute its writes to someone else; in local mode, whatever the client says
// (as MLflow without auth does), falling back to the local admin.
func author(c echo.Context, claimed string) string {
	p, ok := auth.PrincipalFrom(c.Request().Context())
	switch {
	case !ok:
		return claimed
	case p.Via == auth.ViaLocal && claimed != "":
		return claimed
	case p.Email != "":
		return p.Email
	}
	return claimed
}
