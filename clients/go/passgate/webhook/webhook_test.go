package webhook_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passgate/passgate/clients/go/passgate/webhook"
)

// vectorCase is one case of tests/clients/webhook_vectors.json, the cases
// every passgate client's verifier decides alike.
type vectorCase struct {
	Name    string            `json:"name"`
	Why     string            `json:"why"`
	Secret  string            `json:"secret"`
	Now     int64             `json:"now"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Error   *string           `json:"error"`
}

type vectorFile struct {
	ToleranceSeconds int64        `json:"tolerance_seconds"`
	Cases            []vectorCase `json:"cases"`
}

// The vectors' names for the refusals, and the errors that stand for them here.
var refusals = map[string]error{
	"malformed_secret":      webhook.ErrMalformedSecret,
	"missing_header":        webhook.ErrMissingHeader,
	"malformed_timestamp":   webhook.ErrMalformedTimestamp,
	"stale_timestamp":       webhook.ErrStaleTimestamp,
	"future_timestamp":      webhook.ErrFutureTimestamp,
	"no_matching_signature": webhook.ErrNoMatchingSignature,
}

// vectorsPath is the shared file: $PASSGATE_WEBHOOK_VECTORS, or its place in
// the clone.
func vectorsPath() string {
	if path := os.Getenv("PASSGATE_WEBHOOK_VECTORS"); path != "" {
		return path
	}
	return filepath.Join("..", "..", "..", "..", "tests", "clients", "webhook_vectors.json")
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	data, err := os.ReadFile(vectorsPath())
	if err != nil {
		t.Fatalf("the shared webhook vectors: %v (set PASSGATE_WEBHOOK_VECTORS)", err)
	}
	var vectors vectorFile
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatalf("%s: %v", vectorsPath(), err)
	}
	if len(vectors.Cases) == 0 {
		t.Fatalf("%s holds no cases", vectorsPath())
	}
	return vectors
}

// verify runs one case as a receiver would: the secret as configured, the
// request's headers and its raw body, with the case's clock.
func verify(c vectorCase) error {
	verifier, err := webhook.NewVerifier(c.Secret)
	if err != nil {
		return err
	}
	verifier.Now = func() time.Time { return time.Unix(c.Now, 0) }
	header := http.Header{}
	for name, value := range c.Headers {
		header.Set(name, value)
	}
	return verifier.Verify(header, []byte(c.Body))
}

func TestVerifierDecidesEveryVectorAsSpecified(t *testing.T) {
	vectors := loadVectors(t)
	if webhook.DefaultTolerance != time.Duration(vectors.ToleranceSeconds)*time.Second {
		t.Fatalf("DefaultTolerance %v, the vectors are made for %ds", webhook.DefaultTolerance, vectors.ToleranceSeconds)
	}
	for _, c := range vectors.Cases {
		t.Run(c.Name, func(t *testing.T) {
			err := verify(c)
			if c.Error == nil {
				if err != nil {
					t.Fatalf("%s: refused: %v", c.Why, err)
				}
				return
			}
			want, known := refusals[*c.Error]
			if !known {
				t.Fatalf("the vectors name a refusal this test does not know: %q", *c.Error)
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s: want %v, got %v", c.Why, want, err)
			}
		})
	}
}

func TestMissingHeaderErrorNamesTheHeader(t *testing.T) {
	verifier, err := webhook.NewVerifier("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{}
	header.Set(webhook.IDHeader, "msg_1")
	header.Set(webhook.SignatureHeader, "v1,AAAA")
	err = verifier.Verify(header, nil)
	if !errors.Is(err, webhook.ErrMissingHeader) || !strings.Contains(err.Error(), "webhook-timestamp") {
		t.Fatalf("want a missing webhook-timestamp, got %v", err)
	}
}

func TestToleranceCanBeNarrowed(t *testing.T) {
	vectors := loadVectors(t)
	for _, c := range vectors.Cases {
		if c.Name != "valid_at_the_stale_bound" {
			continue
		}
		verifier, err := webhook.NewVerifier(c.Secret)
		if err != nil {
			t.Fatal(err)
		}
		verifier.Now = func() time.Time { return time.Unix(c.Now, 0) }
		verifier.Tolerance = time.Minute
		header := http.Header{}
		for name, value := range c.Headers {
			header.Set(name, value)
		}
		if err := verifier.Verify(header, []byte(c.Body)); !errors.Is(err, webhook.ErrStaleTimestamp) {
			t.Fatalf("a one-minute tolerance let a five-minute-old delivery in: %v", err)
		}
		return
	}
	t.Fatal("no valid_at_the_stale_bound case in the vectors")
}
