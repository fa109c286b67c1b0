package auth

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// randomString returns n bytes from crypto/rand as unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand.Read never fails on supported platforms (Go 1.24+ panics itself).
		panic("auth: crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// normalizeEmail trims and ASCII-lower-cases an email. Only ASCII letters are folded: Unicode
// case folding would map distinct addresses onto one (the Kelvin sign U+212A lower-cases to
// "k"), letting an account verified for one address claim another's grants.
func normalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
