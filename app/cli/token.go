package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/auth"
)

const tokenCreateSynopsis = `Usage: assay token create [--email EMAIL] [--name NAME] [--expires DURATION] [flags]

Creates an API token and prints its secret on standard output, once, and nothing else there:

    export MLFLOW_TRACKING_TOKEN=$(assay token create --email ana@example.com --name laptop)

Programs send it as "Authorization: Bearer <token>" (what the MLflow client does with
MLFLOW_TRACKING_TOKEN) or as the password of HTTP Basic with any user name
(MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). Only its hash is stored.

Whose token it is:
  - with --oidc-issuer, the user who signed in with the verified email --email (they must
    have signed in once);
  - without it (local mode), the local admin, ` + auth.LocalEmail + ` (--email may be left out).
    A local-mode token is refused once Assay runs with an OIDC issuer: after switching to
    SSO, create tokens again for the people who signed in.

` + modeHelp

const tokenListSynopsis = `Usage: assay token list [--email EMAIL] [flags]

Lists the API tokens of the user with the verified email EMAIL that are not revoked (expired
ones included): id, name, creation, expiry and last use. Secrets are never shown again.
In local mode --email defaults to the local admin, ` + auth.LocalEmail + `.

` + modeHelp

const tokenRevokeSynopsis = `Usage: assay token revoke [--email EMAIL] TOKEN_ID [flags]

Revokes one of EMAIL's API tokens (its id is in ` + "`assay token list`" + `). It is refused from the
next request on. In local mode --email defaults to the local admin, ` + auth.LocalEmail + `.

` + modeHelp

// runToken dispatches `assay token create|list|revoke`.
func runToken(ctx context.Context, args []string, out, errOut io.Writer) error {
	return dispatch(ctx, "token", []subcommand{
		{"create", "create [--email EMAIL] [--name NAME] [--expires 720h]", runTokenCreate},
		{"list", "list [--email EMAIL]", runTokenList},
		{"revoke", "revoke [--email EMAIL] TOKEN_ID", runTokenRevoke},
	}, args, out, errOut)
}

func runTokenCreate(ctx context.Context, args []string, out, errOut io.Writer) error {
	var (
		cfg     app.Config
		email   string
		name    string
		expires time.Duration
	)
	fs := newFlagSet("token create", tokenCreateSynopsis, errOut)
	bindIdentity(fs, &cfg)
	fs.StringVar(&email, "email", "", "verified email of the token's owner (in local mode: "+auth.LocalEmail+", the default)")
	fs.StringVar(&name, "name", "cli", "a name to recognise the token by in lists (1 to 100 characters)")
	fs.DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h for 30 days; 0 means it never expires")
	rest, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	if expires < 0 {
		return &usageError{"--expires must not be negative"}
	}
	local := cfg.OIDCIssuer == ""
	switch {
	case local && email != "" && !isLocalEmail(email):
		return &usageError{fmt.Sprintf("local mode: API tokens belong to the local admin (%s), not %s; "+
			"to create one for a signed-in user, pass the issuer the server runs with (--oidc-issuer or ASSAY_OIDC_ISSUER)", auth.LocalEmail, email)}
	case !local && email == "":
		return &usageError{"give the owner's verified email with --email"}
	case !local && isLocalEmail(email):
		return &usageError{fmt.Sprintf("%s is local mode's user: with an OIDC issuer its tokens are refused; give a signed-in user's email", auth.LocalEmail)}
	case local:
		email = auth.LocalEmail
	}
	svc, closeDB, err := openIdentity(ctx, cfg, errOut)
	if err != nil {
		return err
	}
	defer closeDB()
	u, err := findUser(ctx, svc, email)
	if err != nil {
		return err
	}
	var exp *time.Time
	if expires > 0 {
		t := time.Now().Add(expires)
		exp = &t
	}
	secret, info, err := svc.CreateToken(ctx, u.ID, name, exp)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, secret)
	fmt.Fprintf(errOut, "Created API token %s (%q) for %s, expires %s. The secret above is shown only this once.\n",
		info.ID, info.Name, u.Email, formatTime(info.ExpiresAt, "never"))
	if local {
		fmt.Fprintln(errOut, "It is a local-mode token: it stops working when Assay runs with an OIDC issuer.")
	}
	return nil
}

// ownerEmail resolves --email for list and revoke: any user's email, or the local admin's when
// it is left out in local mode.
func ownerEmail(cfg app.Config, email string) (string, error) {
	switch {
	case email != "":
		return email, nil
	case cfg.OIDCIssuer != "":
		return "", &usageError{"give the owner's verified email with --email"}
	}
	return auth.LocalEmail, nil
}

func runTokenList(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	var email string
	fs := newFlagSet("token list", tokenListSynopsis, errOut)
	bindIdentity(fs, &cfg)
	fs.StringVar(&email, "email", "", "verified email of the tokens' owner")
	rest, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	if email, err = ownerEmail(cfg, email); err != nil {
		return err
	}
	svc, closeDB, err := openIdentity(ctx, cfg, errOut)
	if err != nil {
		return err
	}
	defer closeDB()
	u, err := findUser(ctx, svc, email)
	if err != nil {
		return err
	}
	tokens, err := svc.ListTokens(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintf(errOut, "%s has no API tokens\n", u.Email)
		return nil
	}
	now := time.Now()
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tCREATED\tEXPIRES\tLAST USED")
	for _, t := range tokens {
		expires := formatTime(t.ExpiresAt, "never")
		if t.ExpiresAt != nil && !t.ExpiresAt.After(now) {
			expires += " (expired)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, formatTime(&t.CreatedAt, ""), expires, formatTime(t.LastUsedAt, "never"))
	}
	return w.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	var email string
	fs := newFlagSet("token revoke", tokenRevokeSynopsis, errOut)
	bindIdentity(fs, &cfg)
	fs.StringVar(&email, "email", "", "verified email of the token's owner")
	rest, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return &usageError{"give exactly one TOKEN_ID (see `assay token list`)"}
	}
	if email, err = ownerEmail(cfg, email); err != nil {
		return err
	}
	svc, closeDB, err := openIdentity(ctx, cfg, errOut)
	if err != nil {
		return err
	}
	defer closeDB()
	u, err := findUser(ctx, svc, email)
	if err != nil {
		return err
	}
	// Check ownership first: RevokeToken lets an admin revoke anyone's token, and this command
	// names the owner, so a mistyped id must not revoke a token of somebody else.
	tokens, err := svc.ListTokens(ctx, u.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tokens, func(t auth.TokenInfo) bool { return t.ID == rest[0] }) {
		return fmt.Errorf("%s has no token %s that is not already revoked (see `assay token list`)", u.Email, rest[0])
	}
	if err := svc.RevokeToken(ctx, u.ID, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(out, "revoked token %s of %s\n", rest[0], u.Email)
	return nil
}
