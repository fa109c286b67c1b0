package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestServeFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "--oidc-issuer http://127.0.0.1:9998/ --oidc-client-id assay-dev --oidc-client-secret assay-dev-secret --admin-emails ana@example.com\n"},
		{[]string{"--addr", "127.0.0.1:7001", "--assay-url", "http://localhost:7000/"},
			"--oidc-issuer http://127.0.0.1:7001/ --oidc-client-id assay-dev --oidc-client-secret assay-dev-secret --admin-emails ana@example.com --addr localhost:7000 --public-url http://localhost:7000\n"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append(tt.args, "--print-serve-flags"), &out, &errOut); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if out.String() != tt.want {
			t.Errorf("%v: got %q, want %q", tt.args, out.String(), tt.want)
		}
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:9998"},
		{"--addr", "example.com:9998"},
		{"--assay-url", "ftp://x"},
		{"--assay-url", ","},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append(args, "--print-serve-flags"), &out, &errOut)
		if err == nil || out.Len() != 0 {
			t.Errorf("%v: err %v, stdout %q; want an error and nothing printed", args, err, out.String())
		}
		if strings.Contains(args[0], "addr") && !strings.Contains(err.Error(), "loopback") {
			t.Errorf("%v: error %q should say loopback only", args, err)
		}
	}
}
