package auth

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

func TestSignInEmailRules(t *testing.T) {
	db := newTestDB(t)
	cfg := oidcConfig(t, "https://idp.example", "http://127.0.0.1:8080")
	cfg.AdminEmails = []string{"Boss@Corp.test"}
	s := newService(t, db, cfg)
	ctx := context.Background()
	var hooked []string
	s.OnFirstVerifiedEmail = func(ctx context.Context, tx *sql.Tx, userID int64, email string) error {
		hooked = append(hooked, email)
		return nil
	}
	login := func(sub, email string) signInResult {
		t.Helper()
		res, err := s.signIn(ctx, identity{Issuer: "https://idp.example", Subject: sub, Email: email, DisplayName: sub}, "ua", "ip")
		if err != nil {
			t.Fatalf("signIn %s: %v", sub, err)
		}
		return res
	}

	a := login("a", "alice@corp.test")
	if a.User.Email != "alice@corp.test" || !a.User.EmailVerified || a.EmailRefused {
		t.Errorf("first login = %+v", a)
	}
	if again := login("a", "alice@corp.test"); again.User.ID != a.User.ID {
		t.Errorf("same (iss, sub) made a new user")
	}
	// The same subject at another issuer is another user.
	other, err := s.signIn(ctx, identity{Issuer: "https://other.example", Subject: "a"}, "", "")
	if err != nil || other.User.ID == a.User.ID {
		t.Errorf("other issuer: %+v, %v", other.User, err)
	}

	// Another account presenting alice's email does not get it, nor her grants.
	m := login("m", "alice@corp.test")
	if m.User.ID == a.User.ID || m.User.Email != "" || !m.EmailRefused {
		t.Errorf("second account = %+v, want a new user without the email", m)
	}
	// The email changes at the provider: the display email follows (it is verified and free),
	// the user stays the same.
	a2 := login("a", "alice.new@corp.test")
	if a2.User.ID != a.User.ID || a2.User.Email != "alice.new@corp.test" {
		t.Errorf("email change = %+v", a2.User)
	}
	// No verified email this time: the bound one stays.
	if a3 := login("a", ""); a3.User.Email != "alice.new@corp.test" {
		t.Errorf("login without email dropped the bound one: %+v", a3.User)
	}
	if want := []string{"alice@corp.test", "alice.new@corp.test"}; len(hooked) != 2 || hooked[0] != want[0] || hooked[1] != want[1] {
		t.Errorf("OnFirstVerifiedEmail calls = %v, want %v", hooked, want)
	}

	// --admin-emails: only with the verified email bound.
	if b := login("b", "boss@corp.test"); !b.User.Admin {
		t.Errorf("admin email did not make an admin: %+v", b.User)
	}
	if b2 := login("b-impostor", "boss@corp.test"); b2.User.Admin {
		t.Errorf("second account with the admin email became admin: %+v", b2.User)
	}

	// GrantAdmin before the first sign-in: applied when the email arrives verified.
	if id, err := s.GrantAdmin(ctx, "Carol@corp.test"); err != nil || id != 0 {
		t.Fatalf("GrantAdmin pending = %d, %v", id, err)
	}
	if c := login("c", "carol@corp.test"); !c.User.Admin {
		t.Errorf("pending admin grant not applied: %+v", c.User)
	}
	if n := db.count(t, "pending_admins"); n != 0 {
		t.Errorf("%d pending admin rows left", n)
	}
	if id, err := s.GrantAdmin(ctx, "alice.new@corp.test"); err != nil || id != a.User.ID {
		t.Errorf("GrantAdmin existing = %d, %v", id, err)
	}
	if u, err := s.FindUserByEmail(ctx, "ALICE.NEW@corp.test"); err != nil || !u.Admin {
		t.Errorf("FindUserByEmail = %+v, %v", u, err)
	}
	if _, err := s.FindUserByEmail(ctx, "nobody@corp.test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindUserByEmail unknown: %v", err)
	}

	// A hook error aborts the whole sign-in.
	s.OnFirstVerifiedEmail = func(context.Context, *sql.Tx, int64, string) error { return errors.New("boom") }
	if _, err := s.signIn(ctx, identity{Issuer: "https://idp.example", Subject: "d", Email: "dave@corp.test"}, "", ""); err == nil {
		t.Error("hook error ignored")
	}
	if n := db.count(t, "users WHERE subject = 'd'"); n != 0 {
		t.Errorf("aborted sign-in left a user")
	}

	// Disabled: sign-in refused, nothing changes, sessions were revoked.
	before := db.count(t, "auth_sessions WHERE user_id = ? AND revoked_at IS NULL", a.User.ID)
	if before == 0 {
		t.Fatal("no live sessions to revoke")
	}
	if err := s.SetDisabled(ctx, a.User.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := db.count(t, "auth_sessions WHERE user_id = ? AND revoked_at IS NULL", a.User.ID); n != 0 {
		t.Errorf("%d live sessions after disabling", n)
	}
	if _, err := s.signIn(ctx, identity{Issuer: "https://idp.example", Subject: "a", Email: "alice.new@corp.test"}, "", ""); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled sign-in: err = %v, want ErrDisabled", err)
	}
	if u, _ := s.FindUserByID(ctx, a.User.ID); !u.Disabled {
		t.Error("sign-in re-enabled a disabled user")
	}
	if err := s.SetDisabled(ctx, 9999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetDisabled unknown: %v", err)
	}
	users, err := s.FindUsers(ctx)
	if err != nil || len(users) < 6 {
		t.Errorf("FindUsers = %d users, %v", len(users), err)
	}
}
