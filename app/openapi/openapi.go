// Package openapi holds the OpenAPI 3.1 description of Assay's own routes and the labeling
// resources, served at /api/assay/v1/openapi.json.
package openapi

import _ "embed"

// Document is the OpenAPI 3.1 JSON.
//
//go:embed openapi.json
var Document []byte
