package app_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

// TestOpenAPICoversEveryRoute fails when a route under /api/assay/v1 or /api/2.0/managed-evals is
// missing from openapi.json, or the document names a route that does not exist.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	env := apptest.New(t)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r := env.Do("GET", "/api/assay/v1/openapi.json", nil)
	if r.Status != 200 {
		t.Fatalf("openapi.json: status %d", r.Status)
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("not an OpenAPI 3.1 document: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, rt := range env.Server.Echo.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/assay/v1/") && !strings.HasPrefix(rt.Path, "/api/2.0/managed-evals/") {
			continue
		}
		if strings.Contains(rt.Path, "%3") || strings.HasSuffix(rt.Path, "*") {
			continue // percent-encoded aliases and catch-alls
		}
		// An escaped colon is a literal one (items:batchCreate), not a path parameter.
		path := param.ReplaceAllString(strings.ReplaceAll(rt.Path, `\:`, "\x00"), "{$1}")
		path = strings.ReplaceAll(path, "\x00", ":")
		key := rt.Method + " " + path
		served[key] = true
		if !documented[key] {
			t.Errorf("route %s is not documented in openapi.json", key)
		}
	}
	for key := range documented {
		if !served[key] {
			t.Errorf("openapi.json documents %s, which is not served", key)
		}
	}
}
