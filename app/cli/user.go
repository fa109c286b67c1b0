package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/auth"
)

const userListSynopsis = `Usage: assay user list [flags]

Lists everyone who has signed in (and, in local mode, the local admin): id, verified email,
name, whether they are a server admin or disabled, and their last sign-in.

` + modeHelp

const userAdminGrantSynopsis = `Usage: assay user admin grant EMAIL [flags]

Makes the user with the verified email EMAIL a server admin. When nobody has signed in with
EMAIL yet, the grant waits and applies the first time someone signs in with EMAIL verified by
the OpenID Provider (like --admin-emails, but kept in the database).

` + modeHelp

const userAdminRevokeSynopsis = `Usage: assay user admin revoke EMAIL [flags]

Withdraws server admin from the user with the verified email EMAIL. A user listed in the
server's --admin-emails becomes admin again at their next sign-in: take them off that list too.

` + modeHelp

const userDisableSynopsis = `Usage: assay user disable EMAIL [flags]

Disables the user with the verified email EMAIL: they are signed out everywhere at once, cannot
sign in, and their API tokens are refused. ` + "`assay user enable EMAIL`" + ` undoes it (their tokens
work again; their old sign-ins do not).

` + modeHelp

const userEnableSynopsis = `Usage: assay user enable EMAIL [flags]

Re-enables a user disabled with ` + "`assay user disable`" + `.

` + modeHelp

// runUser dispatches `assay user list|admin|disable|enable`.
func runUser(ctx context.Context, args []string, out, errOut io.Writer) error {
	return dispatch(ctx, "user", []subcommand{
		{"list", "list", runUserList},
		{"admin", "admin grant|revoke EMAIL", runUserAdmin},
		{"disable", "disable EMAIL", userSetter("disable", userDisableSynopsis,
			"disabled %s: signed out everywhere; sign-in and API tokens are refused",
			func(ctx context.Context, svc *auth.Service, u auth.User) error {
				return svc.SetDisabled(ctx, u.ID, true)
			})},
		{"enable", "enable EMAIL", userSetter("enable", userEnableSynopsis, "enabled %s",
			func(ctx context.Context, svc *auth.Service, u auth.User) error {
				return svc.SetDisabled(ctx, u.ID, false)
			})},
	}, args, out, errOut)
}

// runUserAdmin dispatches `assay user admin grant|revoke EMAIL`.
func runUserAdmin(ctx context.Context, args []string, out, errOut io.Writer) error {
	return dispatch(ctx, "user admin", []subcommand{
		{"grant", "grant EMAIL", runUserAdminGrant},
		{"revoke", "revoke EMAIL", userSetter("admin revoke", userAdminRevokeSynopsis, "%s is no longer a server admin",
			func(ctx context.Context, svc *auth.Service, u auth.User) error {
				if u.Issuer == auth.LocalIssuer {
					return fmt.Errorf("%s is local mode's user, which is always an admin", u.Email)
				}
				return svc.SetAdmin(ctx, u.ID, false)
			})},
	}, args, out, errOut)
}

// parseEmailArg parses a command whose one argument is an EMAIL.
func parseEmailArg(name, synopsis string, args []string, errOut io.Writer) (app.Config, string, error) {
	var cfg app.Config
	fs := newFlagSet(name, synopsis, errOut)
	bindIdentity(fs, &cfg)
	rest, err := parseWithArgs(fs, args)
	if err != nil {
		return cfg, "", err
	}
	if len(rest) != 1 || rest[0] == "" {
		return cfg, "", &usageError{"give exactly one EMAIL"}
	}
	return cfg, rest[0], nil
}

// userSetter makes a command `assay user NAME EMAIL` that finds the user, applies change and
// prints done (a format whose one %s is the email).
func userSetter(name, synopsis, done string, change func(context.Context, *auth.Service, auth.User) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, out, errOut io.Writer) error {
		cfg, email, err := parseEmailArg("user "+name, synopsis, args, errOut)
		if err != nil {
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
		if err := change(ctx, svc, u); err != nil {
			return err
		}
		fmt.Fprintf(out, done+"\n", u.Email)
		return nil
	}
}

func runUserAdminGrant(ctx context.Context, args []string, out, errOut io.Writer) error {
	cfg, email, err := parseEmailArg("user admin grant", userAdminGrantSynopsis, args, errOut)
	if err != nil {
		return err
	}
	svc, closeDB, err := openIdentity(ctx, cfg, errOut)
	if err != nil {
		return err
	}
	defer closeDB()
	id, err := svc.GrantAdmin(ctx, email)
	if err != nil {
		return err
	}
	if id == 0 {
		fmt.Fprintf(out, "nobody has signed in with %s yet: they become a server admin when they first sign in with it verified\n", email)
		return nil
	}
	fmt.Fprintf(out, "%s is now a server admin\n", email)
	return nil
}

func runUserList(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	fs := newFlagSet("user list", userListSynopsis, errOut)
	bindIdentity(fs, &cfg)
	rest, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	svc, closeDB, err := openIdentity(ctx, cfg, errOut)
	if err != nil {
		return err
	}
	defer closeDB()
	users, err := svc.FindUsers(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLE\tSTATUS\tLAST SIGN-IN")
	for _, u := range users {
		email, role, status := u.Email, "user", "active"
		if email == "" {
			email = "(none verified)"
		}
		if u.Admin {
			role = "admin"
		}
		if u.Disabled {
			status = "disabled"
		}
		if u.Issuer == auth.LocalIssuer {
			status += " (local mode)"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, email, u.DisplayName, role, status, formatTime(u.LastLoginAt, "never"))
	}
	return w.Flush()
}
