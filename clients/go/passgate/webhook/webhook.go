// Package webhook verifies the security events passgate delivers to webhook
// endpoints. Each delivery is signed per the Standard Webhooks scheme: the
// endpoint's secret is `whsec_` and the key in base64; the request carries
// `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`,
// space-separated `v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`
// entries. A receiver that checks them knows the body came from passgate,
// unchanged, recently: a replayed delivery is refused once its timestamp is
// older than the tolerance.
//
//	verifier, err := webhook.NewVerifier(os.Getenv("PASSGATE_WEBHOOK_SECRET"))
//	// ...
//	body, err := io.ReadAll(r.Body)
//	// ...
//	if err := verifier.Verify(r.Header, body); err != nil {
//		http.Error(w, err.Error(), http.StatusUnauthorized)
//		return
//	}
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers a delivery carries.
const (
	IDHeader        = "webhook-id"
	TimestampHeader = "webhook-timestamp"
	SignatureHeader = "webhook-signature"
)

// DefaultTolerance is how far from now a delivery's timestamp may be, in
// either direction, unless Verifier.Tolerance says otherwise.
const DefaultTolerance = 5 * time.Minute

const secretPrefix = "whsec_"

// Why a delivery is refused; Verify's errors wrap one of these (errors.Is)
// and say more.
var (
	ErrMalformedSecret     = errors.New("webhook: malformed secret")
	ErrMissingHeader       = errors.New("webhook: missing header")
	ErrMalformedTimestamp  = errors.New("webhook: webhook-timestamp is not unix seconds")
	ErrStaleTimestamp      = errors.New("webhook: timestamp too old")
	ErrFutureTimestamp     = errors.New("webhook: timestamp in the future")
	ErrNoMatchingSignature = errors.New("webhook: no v1 signature matches")
)

// Verifier checks deliveries against one endpoint's secret. It is safe for
// concurrent use as long as its fields are not changed meanwhile.
type Verifier struct {
	key []byte
	// Tolerance is how far webhook-timestamp may be from Now, either way;
	// NewVerifier sets DefaultTolerance.
	Tolerance time.Duration
	// Now is the clock the timestamp is compared with; NewVerifier sets
	// time.Now, tests pin it.
	Now func() time.Time
}

// NewVerifier reads secret, as passgate shows it (`whsec_` and standard
// base64 with its padding), and returns a Verifier with the default
// tolerance and the system clock. A secret in any other form wraps
// ErrMalformedSecret.
func NewVerifier(secret string) (*Verifier, error) {
	encoded, prefixed := strings.CutPrefix(secret, secretPrefix)
	if !prefixed {
		return nil, fmt.Errorf("%w: it does not start with %q", ErrMalformedSecret, secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	// Encoding back must give the same text: the decoder would skip line
	// breaks and accept stray bits that no sender writes.
	if err != nil || len(key) == 0 || base64.StdEncoding.EncodeToString(key) != encoded {
		return nil, fmt.Errorf("%w: not %q followed by the key in standard base64", ErrMalformedSecret, secretPrefix)
	}
	return &Verifier{key: key, Tolerance: DefaultTolerance, Now: time.Now}, nil
}

// Verify accepts a delivery (returns nil) when its timestamp is within the
// tolerance of now and any v1 entry of webhook-signature is the signature of
// webhook-id, webhook-timestamp and body; entries of other versions are
// ignored. body is the request's raw bytes, as read before any parsing.
// Otherwise the error wraps one of the Err values, checked in this order:
// ErrMissingHeader, ErrMalformedTimestamp, ErrStaleTimestamp,
// ErrFutureTimestamp, ErrNoMatchingSignature.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	id, timestamp, signatures := header.Get(IDHeader), header.Get(TimestampHeader), header.Get(SignatureHeader)
	for _, h := range [...]struct{ name, value string }{
		{IDHeader, id}, {TimestampHeader, timestamp}, {SignatureHeader, signatures},
	} {
		if h.value == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, h.name)
		}
	}
	sent, err := parseTimestamp(timestamp)
	if err != nil {
		return err
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	age := now().Sub(sent)
	if age > v.Tolerance {
		return fmt.Errorf("%w: sent %s ago, more than %s", ErrStaleTimestamp, age.Round(time.Second), v.Tolerance)
	}
	if -age > v.Tolerance {
		return fmt.Errorf("%w: %s ahead of this clock, more than %s", ErrFutureTimestamp, (-age).Round(time.Second), v.Tolerance)
	}
	expected := []byte(v.sign(id, timestamp, body))
	for _, entry := range strings.Split(signatures, " ") {
		version, signature, _ := strings.Cut(entry, ",")
		// hmac.Equal takes the same time wherever the bytes differ.
		if version == "v1" && hmac.Equal([]byte(signature), expected) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}

// sign is the base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`.
func (v *Verifier) sign(id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, v.key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// parseTimestamp reads unix seconds written as 1 to 15 ASCII digits: no sign,
// no space, nothing a sender following the scheme would write otherwise.
func parseTimestamp(timestamp string) (time.Time, error) {
	if len(timestamp) > 15 || strings.Trim(timestamp, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("%w: %q", ErrMalformedTimestamp, timestamp)
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrMalformedTimestamp, timestamp)
	}
	return time.Unix(seconds, 0), nil
}
