package apptest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/internal/devidp"
)

// me is the part of GET /api/assay/v1/me these tests read.
type me struct {
	User struct {
		ID          int64  `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"display_name"`
		Admin       bool   `json:"admin"`
	} `json:"user"`
	AuthMode string `json:"auth_mode"`
	Via      string `json:"via"`
}

func getMe(t *testing.T, c *http.Client, base string) (int, me) {
	t.Helper()
	resp, err := c.Get(base + "/api/assay/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m me
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, m
}

// TestDevIdPSignIn signs the dev provider's users in to a real Assay through the whole browser
// flow, each with its own cookie jar, and checks who /me says they are.
func TestDevIdPSignIn(t *testing.T) {
	sso := apptest.NewSSO(t, "", func(c *app.Config) { c.AdminEmails = devidp.AdminEmail })
	tests := []struct {
		email, wantEmail, wantName string
		wantAdmin                  bool
	}{
		{"ana@example.com", "ana@example.com", "Ana Admin", true},
		{"ben@example.com", "ben@example.com", "Ben Reviewer", false},
		{"cy@example.com", "cy@example.com", "Cy Reviewer", false},
		{"dan@example.com", "", "Dan Unverified", false}, // unverified email: signed in without it
	}
	ids := map[int64]string{}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			c := sso.SignIn(t, tt.email)
			code, m := getMe(t, c, sso.URL)
			if code != http.StatusOK {
				t.Fatalf("/me: status %d", code)
			}
			if m.User.Email != tt.wantEmail || m.User.DisplayName != tt.wantName || m.User.Admin != tt.wantAdmin || m.Via != "session" || m.AuthMode != "oidc" {
				t.Errorf("/me = %+v, want email %q, name %q, admin %v, via session, oidc", m, tt.wantEmail, tt.wantName, tt.wantAdmin)
			}
			if other, dup := ids[m.User.ID]; dup {
				t.Errorf("user id %d already belongs to %s", m.User.ID, other)
			}
			ids[m.User.ID] = tt.email
		})
	}

	// A client without the jar's cookie is anonymous.
	if code, _ := getMe(t, http.DefaultClient, sso.URL); code != http.StatusUnauthorized {
		t.Errorf("anonymous /me: status %d, want 401", code)
	}
}
