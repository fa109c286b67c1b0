package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFileName is the session signing key's file in the data directory. It lives there rather
// than in the database so that database backups (which get copied around) cannot mint sessions.
// Deleting it signs everybody out at the next start.
const KeyFileName = "session.key"

// minKeyBytes: RFC 7518 §3.2 requires an HS256 key at least as long as the hash output.
const minKeyBytes = 32

// loadOrCreateKey reads <dir>/session.key, creating it with 32 random bytes and mode 0600 on
// first start. It refuses a file that group or others can read or write, a file that is not a
// regular file, or a key shorter than 32 bytes. It returns the key and its kid (a short hash
// of the key, so a replaced key makes every old cookie's kid unknown).
func loadOrCreateKey(dir string) (key []byte, kid string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, KeyFileName)
	key, err = readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := writeKeyFile(path); err != nil {
			return nil, "", err
		}
		key, err = readKeyFile(path)
	}
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(append([]byte("assay session key id\x00"), key...))
	return key, hex.EncodeToString(sum[:6]), nil
}

// readKeyFile reads and checks an existing key file.
func readKeyFile(path string) ([]byte, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("session key %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("session key %s has mode %#o; it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("session key %s is not base64url text: %w", path, err)
	}
	if len(key) < minKeyBytes {
		return nil, fmt.Errorf("session key %s holds %d bytes; at least %d are required", path, len(key), minKeyBytes)
	}
	return key, nil
}

// writeKeyFile creates a new random key: written and synced under a temporary name, then linked
// into place, so a crash never leaves a half-written key and two processes starting at once
// agree on one key (the second link fails and that process reads the first one's).
func writeKeyFile(path string) error {
	key := make([]byte, minKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("generate session key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".session.key-*")
	if err != nil {
		return fmt.Errorf("create session key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("create session key: %w", err)
	}
	if _, err := tmp.WriteString(base64.RawURLEncoding.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("write session key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync session key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write session key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("install session key: %w", err)
	}
	return nil
}
