package auth

import (
	"fmt"
	"net"
)

// CheckListenAddr refuses, in local mode, any listen address that is not loopback: local mode
// has no sign-in, so anyone who can reach the port is the admin. ":8080" (all interfaces) and
// host names other than "localhost" are refused too. With an issuer (local false) every address
// is allowed.
func CheckListenAddr(addr string, local bool) error {
	if !local {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "" {
		return fmt.Errorf("local mode (no OIDC issuer) listens on loopback only, but %q listens on every interface; use 127.0.0.1:PORT or configure an OIDC issuer", addr)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("local mode (no OIDC issuer) listens on loopback only, not %q; use 127.0.0.1:PORT or configure an OIDC issuer", addr)
	}
	return nil
}
