// Command dev-idp runs a development OpenID Provider on loopback, with a few known users and a
// client registered for Assay, and prints the `assay serve` command that trusts it. It is for
// trying SSO on one machine (make dev-idp, make dev-sso) and for browser tests; never for real
// sign-ins: its passwords are printed below and its keys are not secret.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/assay-labs/assay/internal/devidp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dev-idp:", err)
			os.Exit(1)
		}
	}
}

// options are the command's flags.
type options struct {
	addr       string
	assayURLs  []string
	printFlags bool
}

func parseOptions(args []string, errOut io.Writer) (options, error) {
	var o options
	var urls string
	fs := flag.NewFlagSet("dev-idp", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:9998", "loopback address to listen on")
	fs.StringVar(&urls, "assay-url", "http://127.0.0.1:5000,http://localhost:5000",
		"comma-separated URLs Assay is reached at; each gets <url>/auth/callback registered as a redirect URI")
	fs.BoolVar(&o.printFlags, "print-serve-flags", false, "print only the `assay serve` flags that trust this provider, and exit")
	fs.Usage = func() {
		fmt.Fprintln(errOut, "Usage: dev-idp [flags]\n\nA development OpenID Provider for Assay, with known users and passwords. Loopback only.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return o, fmt.Errorf("--addr %q: %w", o.addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return o, fmt.Errorf("--addr %q: the dev provider's passwords are public, so it listens on loopback only", o.addr)
	}
	for _, u := range strings.Split(urls, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
				return o, fmt.Errorf("--assay-url %q is not an http(s) URL", u)
			}
			o.assayURLs = append(o.assayURLs, u)
		}
	}
	if len(o.assayURLs) == 0 {
		return o, errors.New("--assay-url needs at least one URL")
	}
	return o, nil
}

// serveFlags are the `assay serve` flags that make Assay trust this provider, for the first
// Assay URL.
func (o options) serveFlags() string {
	flags := fmt.Sprintf("--oidc-issuer %s --oidc-client-id %s --oidc-client-secret %s --admin-emails %s",
		devidp.Issuer(o.addr), devidp.ClientID, devidp.ClientSecret, devidp.AdminEmail)
	if first := o.assayURLs[0]; first != "http://127.0.0.1:5000" {
		u, _ := url.Parse(first)
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		flags += fmt.Sprintf(" --addr %s --public-url %s", net.JoinHostPort(u.Hostname(), port), first)
	}
	return flags
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	o, err := parseOptions(args, errOut)
	if err != nil {
		return err
	}
	if o.printFlags {
		fmt.Fprintln(out, o.serveFlags())
		return nil
	}
	var redirects []string
	for _, u := range o.assayURLs {
		redirects = append(redirects, u+"/auth/callback")
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           devidp.New(devidp.Issuer(o.addr), redirects...),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	printBanner(out, o, redirects)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func printBanner(out io.Writer, o options, redirects []string) {
	fmt.Fprintf(out, "Development OpenID Provider (NOT for real use) at %s\n", devidp.Issuer(o.addr))
	fmt.Fprintf(out, "Client %q, secret %q, redirect URIs: %s\n\n", devidp.ClientID, devidp.ClientSecret, strings.Join(redirects, " "))
	fmt.Fprintf(out, "Users (password %q for all):\n", devidp.Password)
	for _, u := range devidp.Users {
		note := ""
		if !u.EmailVerified {
			note = "  (email not verified: signs in without an email)"
		} else if u.Email == devidp.AdminEmail {
			note = "  (server admin with the command below)"
		}
		fmt.Fprintf(out, "  %-18s %s %s%s\n", u.Email, u.FirstName, u.LastName, note)
	}
	fmt.Fprintf(out, "\nStart Assay against it (in another terminal):\n\n  ./bin/assay serve %s\n\n", o.serveFlags())
	fmt.Fprintf(out, "then open %s and sign in as one of the users above. Ctrl-C stops the provider.\n", o.assayURLs[0])
}
