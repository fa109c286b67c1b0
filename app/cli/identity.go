package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// modeHelp ends every token and user command's --help.
const modeHelp = `Run it with the same --data-dir and --oidc-issuer (or ASSAY_DATA_DIR and ASSAY_OIDC_ISSUER)
as ` + "`assay serve`" + `; without an issuer it works in local mode. The server may keep running meanwhile.`

// subcommand is one verb of a command group such as `assay token`.
type subcommand struct {
	name, usage string
	run         func(ctx context.Context, args []string, out, errOut io.Writer) error
}

// dispatch runs the subcommand args[0] of group, or explains the group's usage.
func dispatch(ctx context.Context, group string, subs []subcommand, args []string, out, errOut io.Writer) error {
	var lines []string
	for _, s := range subs {
		if len(args) > 0 && args[0] == s.name {
			return s.run(ctx, args[1:], out, errOut)
		}
		lines = append(lines, "  assay "+group+" "+s.usage)
	}
	usage := "Usage:\n" + strings.Join(lines, "\n")
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintf(errOut, "%s\n\nRun `assay %s COMMAND --help` for the details.\n", usage, group)
		return flag.ErrHelp
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return &usageError{"say what to do:\n" + usage}
	}
	return &usageError{fmt.Sprintf("unknown command %q; use one of:\n%s", args[0], usage)}
}

// bindIdentity registers the flags the token and user commands share.
func bindIdentity(fs *flag.FlagSet, cfg *app.Config) {
	cfg.BindStorage(fs)
	fs.StringVar(&cfg.OIDCIssuer, "oidc-issuer", "", "the OpenID Provider issuer `assay serve` runs with; empty means local mode")
}

// cliClientID stands in for --oidc-client-id: auth.New wants a client for the sign-ins it serves,
// and the command line signs nobody in.
const cliClientID = "assay-cli"

// openIdentity opens the database in cfg's data directory and the auth service over it, in
// local mode when no issuer is configured. It says so on errOut when the database did not exist
// yet (a mistyped --data-dir is then easy to notice). close releases both.
func openIdentity(ctx context.Context, cfg app.Config, errOut io.Writer) (svc *auth.Service, close func(), err error) {
	log, err := newLogger(cfg, errOut)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(cfg.DBPath()); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(errOut, "note: there was no database at %s yet; creating a new one (check --data-dir if that is unexpected)\n", cfg.DBPath())
	}
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return nil, nil, err
	}
	acfg := cfg.AuthConfig("127.0.0.1:5000")
	if acfg.ClientID == "" {
		acfg.ClientID = cliClientID
	}
	svc, err = auth.New(acfg, db.Writer, db.Reader, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

// findUser returns the user whose verified email this is, with an error that says what to do
// when there is none.
func findUser(ctx context.Context, svc *auth.Service, email string) (auth.User, error) {
	u, err := svc.FindUserByEmail(ctx, email)
	if errors.Is(err, auth.ErrNotFound) {
		return auth.User{}, fmt.Errorf("no user has signed in with the verified email %s yet (`assay user list` shows who has)", email)
	}
	if errors.Is(err, auth.ErrInvalid) {
		return auth.User{}, &usageError{"give an email address"}
	}
	return u, err
}

// isLocalEmail reports whether email names local mode's user.
func isLocalEmail(email string) bool {
	return strings.EqualFold(strings.TrimSpace(email), auth.LocalEmail)
}

// formatTime prints a stored time for the lists, or none when it is unset.
func formatTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}
