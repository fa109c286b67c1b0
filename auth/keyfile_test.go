package auth

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFileCreatedOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, kid, err := loadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) < 32 {
		t.Errorf("key has %d bytes, want >= 32", len(key))
	}
	if len(kid) != 12 {
		t.Errorf("kid = %q, want 12 hex digits", kid)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %#o, want 0600", got)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s", len(entries), KeyFileName)
	}

	key2, kid2, err := loadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key, key2) || kid != kid2 {
		t.Error("second start produced a different key")
	}

	other, otherKid, err := loadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(key, other) || kid == otherKid {
		t.Error("two data directories share a key")
	}
}

func TestKeyFileRefused(t *testing.T) {
	good := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string
	}{
		{"world readable", func(t *testing.T, path string) { writeFile(t, path, good, 0o644) }, "mode"},
		{"group readable", func(t *testing.T, path string) { writeFile(t, path, good, 0o640) }, "mode"},
		{"group writable", func(t *testing.T, path string) { writeFile(t, path, good, 0o620) }, "mode"},
		{"too short", func(t *testing.T, path string) {
			writeFile(t, path, base64.RawURLEncoding.EncodeToString(make([]byte, 16)), 0o600)
		}, "at least 32"},
		{"not base64", func(t *testing.T, path string) { writeFile(t, path, "!!!", 0o600) }, "base64"},
		{"symlink", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			writeFile(t, target, good, 0o600)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "regular file"},
		{"directory", func(t *testing.T, path string) { os.Mkdir(path, 0o700) }, "regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, filepath.Join(dir, KeyFileName))
			_, _, err := loadOrCreateKey(dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("loadOrCreateKey: err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}

	t.Run("New refuses to start", func(t *testing.T) {
		db := newTestDB(t)
		cfg := oidcConfig(t, "https://idp.example", "http://127.0.0.1:8080")
		writeFile(t, filepath.Join(cfg.DataDir, KeyFileName), good, 0o644)
		if _, err := New(cfg, db.writer, db.reader, testLogger(t)); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("New: err = %v, want a permissions error", err)
		}
	})
	t.Run("an operator-provided 0600 key is used", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, KeyFileName), good, 0o600)
		key, _, err := loadOrCreateKey(dir)
		if err != nil || !bytes.Equal(key, bytes.Repeat([]byte{7}, 32)) {
			t.Fatalf("key = %x, err = %v", key, err)
		}
	})
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is filtered by the umask
		t.Fatal(err)
	}
}
