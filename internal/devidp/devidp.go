// Package devidp is a development OpenID Provider for trying Assay's SSO on one machine and for
// signing people in from tests: zitadel/oidc's example provider (a username/password form,
// authorization code flow with PKCE, RS256 ID tokens) with a few known users and one client
// registered for Assay. It is never part of the assay binary: cmd/dev-idp serves it, and tests
// run it in-process. Its passwords are public and its token key is fixed, so it must only ever
// listen on loopback.
package devidp

import (
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// The client registered for Assay: pass these as --oidc-client-id and --oidc-client-secret.
const (
	ClientID     = "assay-dev"
	ClientSecret = "assay-dev-secret"
)

// Password is every dev user's password.
const Password = "assay-dev"

// User is a person who can sign in at the dev provider, typing Email as the user name and
// Password as the password.
type User struct {
	ID            string // the ID token's subject
	Email         string
	EmailVerified bool
	FirstName     string
	LastName      string
}

// Users are the dev provider's accounts. Ana is the admin in the suggested serve command
// (AdminEmail); Ben and Cy are ordinary users, e.g. two reviewers; Dan's email is not verified,
// so Assay signs him in without an email (and without any grant made to an email).
var Users = []User{
	{ID: "dev-ana", Email: "ana@example.com", EmailVerified: true, FirstName: "Ana", LastName: "Admin"},
	{ID: "dev-ben", Email: "ben@example.com", EmailVerified: true, FirstName: "Ben", LastName: "Reviewer"},
	{ID: "dev-cy", Email: "cy@example.com", EmailVerified: true, FirstName: "Cy", LastName: "Reviewer"},
	{ID: "dev-dan", Email: "dan@example.com", EmailVerified: false, FirstName: "Dan", LastName: "Unverified"},
}

// AdminEmail is the user the suggested serve command makes a server admin (--admin-emails).
const AdminEmail = "ana@example.com"

// Issuer is the issuer URL of a provider served at addr (host:port). The example provider
// builds its endpoint URLs by appending to the issuer, so it ends with a slash, and Assay's
// --oidc-issuer must be spelled exactly so.
func Issuer(addr string) string { return "http://" + addr + "/" }

// New returns the provider's HTTP handler for issuer (see Issuer), with Assay registered as a
// confidential web client (HTTP Basic client authentication) allowed to redirect to each of
// redirectURIs, e.g. http://127.0.0.1:5000/auth/callback.
func New(issuer string, redirectURIs ...string) http.Handler {
	if !strings.HasSuffix(issuer, "/") {
		issuer += "/"
	}
	st := storage.NewStorageWithClients(userStore{}, map[string]*storage.Client{
		ClientID: storage.WebClient(ClientID, ClientSecret, redirectURIs...),
	})
	return exampleop.SetupServer(issuer, st, nil, false)
}

// userStore adapts Users to the example provider's storage.
type userStore struct{}

func (userStore) GetUserByID(id string) *storage.User {
	for _, u := range Users {
		if u.ID == id {
			return u.storageUser()
		}
	}
	return nil
}

func (userStore) GetUserByUsername(name string) *storage.User {
	for _, u := range Users {
		if strings.EqualFold(u.Email, strings.TrimSpace(name)) {
			return u.storageUser()
		}
	}
	return nil
}

// ExampleClientID names the example's JWT-profile service client; none is registered here.
func (userStore) ExampleClientID() string { return "service" }

func (u User) storageUser() *storage.User {
	return &storage.User{ID: u.ID, Username: u.Email, Password: Password, FirstName: u.FirstName,
		LastName: u.LastName, Email: u.Email, EmailVerified: u.EmailVerified}
}
