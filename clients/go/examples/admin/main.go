// Command admin manages a user's sessions through passgate's AdminService: it
// creates a user, signs them in twice, lists their sessions, revokes the
// first one, and shows VerifySession refusing it while the second still
// works. Every step prints one JSON line.
//
// It needs an API key with the admin scope that may also call SignIn and
// VerifySession, made in the folder of the server's database:
//
//	passgate apikey create --name admin-example --scopes admin,SignIn,VerifySession
//
// Then, from clients/go:
//
//	PASSGATE_API_KEY=pgk_... go run ./examples/admin -target 127.0.0.1:50051 \
//	    -email grace@example.com -password 'Correct-Horse-9-battery'
//
// With -ca-cert it connects over TLS, trusting that CA; with -client-cert
// and -client-key as well, over mutual TLS.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/passgate/passgate/clients/go/passgate"
	adminv1 "github.com/passgate/passgate/clients/go/passgate/admin/v1"
	authv1 "github.com/passgate/passgate/clients/go/passgate/auth/v1"
)

func main() {
	target := flag.String("target", "127.0.0.1:50051", "passgate's address")
	email := flag.String("email", "", "the new user's e-mail address")
	password := flag.String("password", "", "the new user's password")
	caCert := flag.String("ca-cert", "", "connect over TLS, trusting the CA certificate in this PEM file")
	clientCert := flag.String("client-cert", "", "for mutual TLS: the client's certificate (PEM)")
	clientKey := flag.String("client-key", "", "for mutual TLS: the client certificate's key (PEM)")
	flag.Parse()
	apiKey := os.Getenv("PASSGATE_API_KEY")
	if apiKey == "" || *email == "" || *password == "" {
		fmt.Fprintln(os.Stderr, "admin: set PASSGATE_API_KEY (a key with the admin scope) and give -email and -password")
		os.Exit(2)
	}
	// Plaintext is for a local server only: give -ca-cert anywhere else.
	transport := insecure.NewCredentials()
	if *caCert != "" {
		var err error
		transport, err = passgate.ClientTLS(*caCert, *clientCert, *clientKey)
		if err != nil {
			fmt.Fprintln(os.Stderr, "admin:", err)
			os.Exit(2)
		}
	} else if *clientCert != "" || *clientKey != "" {
		fmt.Fprintln(os.Stderr, "admin: -client-cert and -client-key need -ca-cert")
		os.Exit(2)
	}
	if err := run(*target, apiKey, transport, *email, *password); err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(1)
	}
}

func run(target, apiKey string, transport credentials.TransportCredentials, email, password string) error {
	conn, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(transport),
		passgate.WithAPIKey(apiKey))
	if err != nil {
		return err
	}
	defer conn.Close()
	admin := adminv1.NewAdminServiceClient(conn)
	auth := authv1.NewAuthServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	created, err := admin.CreateUser(ctx, &adminv1.CreateUserRequest{
		Email:      email,
		Credential: &adminv1.CreateUserRequest_Password{Password: password},
	})
	if err != nil {
		return failed("create user", err)
	}
	userID := created.GetUser().GetUserId()
	emit(map[string]any{"step": "create_user", "user_id": userID})

	// Two sign-ins, two sessions; the first one's id is the only session
	// listed between them.
	first, err := auth.SignIn(ctx, signIn(email, password))
	if err != nil {
		return failed("sign in", err)
	}
	listed, err := admin.ListUserSessions(ctx, &adminv1.ListUserSessionsRequest{UserId: userID})
	if err != nil {
		return failed("list sessions", err)
	}
	if len(listed.GetSessions()) != 1 {
		return fmt.Errorf("list sessions: %d sessions after one sign-in", len(listed.GetSessions()))
	}
	firstSessionID := listed.GetSessions()[0].GetSessionId()
	emit(map[string]any{"step": "sign_in_first", "session_id": firstSessionID})
	second, err := auth.SignIn(ctx, signIn(email, password))
	if err != nil {
		return failed("sign in again", err)
	}
	emit(map[string]any{"step": "sign_in_second", "user_id": second.GetUserId()})

	listed, err = admin.ListUserSessions(ctx, &adminv1.ListUserSessionsRequest{UserId: userID})
	if err != nil {
		return failed("list sessions", err)
	}
	sessions := []map[string]string{}
	for _, s := range listed.GetSessions() {
		sessions = append(sessions, map[string]string{
			"session_id":   s.GetSessionId(),
			"created_at":   s.GetCreatedAt().AsTime().Format(time.RFC3339Nano),
			"last_used_at": s.GetLastUsedAt().AsTime().Format(time.RFC3339Nano),
			"peer":         s.GetPeer(),
		})
	}
	emit(map[string]any{"step": "list_sessions", "sessions": sessions})

	_, err = admin.RevokeUserSession(ctx, &adminv1.RevokeUserSessionRequest{
		UserId: userID, SessionId: firstSessionID,
	})
	if err != nil {
		return failed("revoke session", err)
	}
	emit(map[string]any{"step": "revoke_session", "session_id": firstSessionID})

	// The revoked session is refused at once: UNAUTHENTICATED, SESSION_INVALID.
	_, err = auth.VerifySession(ctx, &authv1.VerifySessionRequest{SessionToken: first.GetSessionToken()})
	e := passgate.ParseError(err)
	if err == nil {
		return errors.New("verify the revoked session: expected SESSION_INVALID, the session still works")
	}
	if e == nil || e.Code != codes.Unauthenticated || e.Reason != authv1.ErrorReason_SESSION_INVALID.String() {
		return failed("verify the revoked session (expected SESSION_INVALID)", err)
	}
	emit(map[string]any{"step": "revoked_session_refused", "code": int(e.Code), "reason": e.Reason})

	verified, err := auth.VerifySession(ctx, &authv1.VerifySessionRequest{SessionToken: second.GetSessionToken()})
	if err != nil {
		return failed("verify the other session", err)
	}
	emit(map[string]any{"step": "other_session_live", "user_id": verified.GetUserId()})
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

func emit(fields map[string]any) {
	line, _ := json.Marshal(fields)
	fmt.Println(string(line))
}
