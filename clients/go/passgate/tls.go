package passgate

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc/credentials"
)

// ClientTLS returns transport credentials for grpc.WithTransportCredentials
// that trust only the CA certificates in caCertFile (PEM), so a private CA
// works without touching the system's trust store. For mutual TLS, give the
// client's certificate and key (PEM) as certFile and keyFile; leave both
// empty when the server asks for none. The server's name is checked against
// the host of the target, as for any TLS connection.
func ClientTLS(caCertFile, certFile, keyFile string) (credentials.TransportCredentials, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("passgate: a client certificate and its key go together")
	}
	caPEM, err := os.ReadFile(caCertFile)
	if err != nil {
		return nil, fmt.Errorf("passgate: CA certificate: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("passgate: CA certificate: no PEM certificate in %s", caCertFile)
	}
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("passgate: client certificate: %w", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return credentials.NewTLS(config), nil
}
