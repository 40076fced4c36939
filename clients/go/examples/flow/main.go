// Command flow walks a user through passgate's password life cycle: sign in,
// change the password, request a reset, submit it with the link from the
// e-mail, and sign in with the new password. On the way it makes calls that
// passgate rejects and shows their decoded details. Every step prints one
// JSON line; calls refused with RESOURCE_EXHAUSTED are retried after the delay
// the server asks for.
//
// Run it from clients/go, against the server `scripts/serve` started:
//
//	PASSGATE_API_KEY=pgk_... go run ./examples/flow -target 127.0.0.1:50051 \
//	    -email ada@example.com -password 'Correct-Horse-9-battery' \
//	    -new-password 'Another#Strong-Pass-42' -reset-password 'Third$Strong-Pass-77'
//
// With -ca-cert it connects over TLS, trusting that CA; with -client-cert
// and -client-key as well, over mutual TLS.
//
// After RequestReset it takes the reset link from the newest e-mail to the
// user, through `passgate mail last` (the file mailer's folder, -mail-dir).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/passgate/passgate/clients/go/passgate"
	authv1 "github.com/passgate/passgate/clients/go/passgate/auth/v1"
)

func main() {
	target := flag.String("target", "127.0.0.1:50051", "passgate's address")
	email := flag.String("email", "", "the user's e-mail address")
	password := flag.String("password", "", "the user's current password")
	newPassword := flag.String("new-password", "", "the password to change to")
	resetPassword := flag.String("reset-password", "", "the password to set through the reset link")
	passgateCommand := flag.String("passgate", "../../.venv/bin/passgate", "passgate's command line")
	mailDir := flag.String("mail-dir", "../../mail", "where passgate's file mailer writes e-mails")
	caCert := flag.String("ca-cert", "", "connect over TLS, trusting the CA certificate in this PEM file")
	clientCert := flag.String("client-cert", "", "for mutual TLS: the client's certificate (PEM)")
	clientKey := flag.String("client-key", "", "for mutual TLS: the client certificate's key (PEM)")
	flag.Parse()
	apiKey := os.Getenv("PASSGATE_API_KEY")
	if apiKey == "" || *email == "" || *password == "" || *newPassword == "" || *resetPassword == "" {
		fmt.Fprintln(os.Stderr, "flow: set PASSGATE_API_KEY and give -email, -password, -new-password, -reset-password")
		os.Exit(2)
	}
	lastResetLink := func(since string) (string, error) {
		out, err := exec.Command(*passgateCommand, "mail", "last", "--mail-dir", *mailDir,
			"--to", *email, "--since", since, "--wait", "30").Output()
		return string(out), err
	}
	// Plaintext is for a local server only: give -ca-cert anywhere else.
	transport := insecure.NewCredentials()
	if *caCert != "" {
		var err error
		transport, err = passgate.ClientTLS(*caCert, *clientCert, *clientKey)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flow:", err)
			os.Exit(2)
		}
	} else if *clientCert != "" || *clientKey != "" {
		fmt.Fprintln(os.Stderr, "flow: -client-cert and -client-key need -ca-cert")
		os.Exit(2)
	}
	if err := run(*target, apiKey, transport, *email, *password, *newPassword, *resetPassword, lastResetLink); err != nil {
		fmt.Fprintln(os.Stderr, "flow:", err)
		os.Exit(1)
	}
}

func run(target, apiKey string, transport credentials.TransportCredentials,
	email, password, newPassword, resetPassword string,
	lastResetLink func(since string) (string, error)) error {
	conn, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(transport),
		passgate.WithAPIKey(apiKey))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := authv1.NewAuthServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A wrong password: UNAUTHENTICATED with ErrorInfo reason INVALID_CREDENTIALS.
	_, err = withBackoff(ctx, "sign_in_wrong_password", func() (*authv1.SignInResponse, error) {
		return client.SignIn(ctx, signIn(email, password+"-wrong"))
	})
	if err := expectRejected("sign_in_wrong_password", authv1.ErrorReason_INVALID_CREDENTIALS, err); err != nil {
		return err
	}

	signedIn, err := withBackoff(ctx, "sign_in", func() (*authv1.SignInResponse, error) {
		return client.SignIn(ctx, signIn(email, password))
	})
	if err != nil {
		return failed("sign in", err)
	}
	emit(map[string]any{"step": "sign_in", "user_id": signedIn.GetUserId(),
		"expires_at": signedIn.GetExpiresAt().AsTime().Format(time.RFC3339)})
	session := passgate.WithSession(ctx, signedIn.GetSessionToken())

	// A weak new password: INVALID_ARGUMENT with one BadRequest field
	// violation per broken rule; the session survives the refusal.
	_, err = withBackoff(ctx, "change_password_weak", func() (*authv1.ChangePasswordResponse, error) {
		return client.ChangePassword(session, &authv1.ChangePasswordRequest{
			OldPassword: password, NewPassword: "short", ConfirmPassword: "short",
		})
	})
	if err := expectRejected("change_password_weak", authv1.ErrorReason_INVALID_REQUEST, err); err != nil {
		return err
	}

	changed, err := withBackoff(ctx, "change_password", func() (*authv1.ChangePasswordResponse, error) {
		return client.ChangePassword(session, &authv1.ChangePasswordRequest{
			OldPassword: password, NewPassword: newPassword, ConfirmPassword: newPassword,
		})
	})
	if err != nil {
		return failed("change password", err)
	}
	emit(map[string]any{"step": "change_password",
		"expires_at": changed.GetExpiresAt().AsTime().Format(time.RFC3339)})

	// The change revoked every other session, the one it was made with included.
	_, err = withBackoff(ctx, "old_session_revoked", func() (*authv1.VerifySessionResponse, error) {
		return client.VerifySession(ctx, &authv1.VerifySessionRequest{SessionToken: signedIn.GetSessionToken()})
	})
	if err := expectRejected("old_session_revoked", authv1.ErrorReason_SESSION_INVALID, err); err != nil {
		return err
	}

	_, err = withBackoff(ctx, "sign_out", func() (*authv1.SignOutResponse, error) {
		return client.SignOut(passgate.WithSession(ctx, changed.GetSessionToken()), &authv1.SignOutRequest{})
	})
	if err != nil {
		return failed("sign out", err)
	}
	emit(map[string]any{"step": "sign_out"})

	since := time.Now().UTC().Format(time.RFC3339Nano)
	_, err = withBackoff(ctx, "request_reset", func() (*authv1.RequestResetResponse, error) {
		return client.RequestReset(ctx, &authv1.RequestResetRequest{
			Identifier: &authv1.RequestResetRequest_Email{Email: email},
		})
	})
	if err != nil {
		return failed("request reset", err)
	}
	emit(map[string]any{"step": "request_reset"})

	link, err := lastResetLink(since)
	if err != nil {
		return fmt.Errorf("passgate mail last: %w", err)
	}
	userID, token, err := parseResetLink(link)
	if err != nil {
		return err
	}
	_, err = withBackoff(ctx, "submit_reset", func() (*authv1.SubmitResetResponse, error) {
		return client.SubmitReset(ctx, &authv1.SubmitResetRequest{
			UserId: userID, Token: token, NewPassword: resetPassword,
		})
	})
	if err != nil {
		return failed("submit reset", err)
	}
	emit(map[string]any{"step": "submit_reset", "user_id": userID})

	again, err := withBackoff(ctx, "sign_in_after_reset", func() (*authv1.SignInResponse, error) {
		return client.SignIn(ctx, signIn(email, resetPassword))
	})
	if err != nil {
		return failed("sign in after reset", err)
	}
	emit(map[string]any{"step": "sign_in_after_reset", "user_id": again.GetUserId()})
	return nil
}

// failed names the call that failed and says why: passgate's decoded error
// (code, ErrorInfo reason such as API_KEY_SCOPE, message) when the error
// carries a gRPC status, else the error as it is.
func failed(call string, err error) error {
	if e := passgate.ParseError(err); e != nil {
		return fmt.Errorf("%s: %w", call, e)
	}
	return fmt.Errorf("%s: %w", call, err)
}

func signIn(email, password string) *authv1.SignInRequest {
	return &authv1.SignInRequest{
		Identifier: &authv1.SignInRequest_Email{Email: email},
		Password:   password,
	}
}

// withBackoff makes a call and, while passgate answers RESOURCE_EXHAUSTED,
// waits as its RetryInfo says and tries again (at most 5 times).
func withBackoff[T any](ctx context.Context, step string, call func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		reply, err := call()
		e := passgate.ParseError(err)
		if e == nil || e.Code != codes.ResourceExhausted || attempt == 5 {
			return reply, err
		}
		delay := e.RetryDelay
		if delay <= 0 {
			delay = time.Second
		}
		emit(map[string]any{"event": "backoff", "step": step, "reason": e.Reason,
			"delay_ms": delay.Milliseconds()})
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return reply, ctx.Err()
		}
	}
}

// expectRejected prints the decoded status and details of a call that
// passgate was to refuse with reason. Anything else (a success, a refusal
// for another reason such as a bad API key, an unreachable server) is
// returned, to end the example.
func expectRejected(step string, reason authv1.ErrorReason, err error) error {
	if err == nil {
		return fmt.Errorf("%s: expected passgate to refuse the call with %s, it succeeded", step, reason)
	}
	e := passgate.ParseError(err)
	if e == nil || e.Domain != passgate.Domain || e.Reason != reason.String() {
		return failed(step, err) // not the refusal expected, or not passgate's answer
	}
	violations := []map[string]string{}
	for _, v := range e.Violations {
		violations = append(violations, map[string]string{
			"field": v.Field, "reason": v.Reason, "description": v.Description,
		})
	}
	emit(map[string]any{"step": step, "code": int(e.Code), "reason": e.Reason,
		"domain": e.Domain, "violations": violations})
	return nil
}

// parseResetLink reads the user id and token of `<reset_url>?user=<user_id>&token=<token>`.
func parseResetLink(text string) (userID, token string, err error) {
	link, err := url.Parse(strings.TrimSpace(text))
	if err != nil {
		return "", "", fmt.Errorf("reset link: %w", err)
	}
	userID, token = link.Query().Get("user"), link.Query().Get("token")
	if userID == "" || token == "" {
		return "", "", errors.New("reset link: want ?user=<user_id>&token=<token>")
	}
	return userID, token, nil
}

func emit(fields map[string]any) {
	line, _ := json.Marshal(fields)
	fmt.Println(string(line))
}
