package passgate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistake in the TLS files is reported when the credentials are made, not
// as an opaque handshake failure on the first call.
func TestClientTLSRefusesFilesThatCannotWork(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ca, cert, key, says string
	}{
		{"missing CA file", filepath.Join(dir, "absent.pem"), "", "", "CA certificate"},
		{"CA file without PEM", notPEM, "", "", "no PEM certificate"},
		{"certificate without key", notPEM, notPEM, "", "go together"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ClientTLS(c.ca, c.cert, c.key)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("ClientTLS(%q, %q, %q) = %v, want an error saying %q", c.ca, c.cert, c.key, err, c.says)
			}
		})
	}
}
