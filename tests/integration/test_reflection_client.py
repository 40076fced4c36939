"""An outside client that knows only DESIGN.md and server reflection: it builds
every message class from the descriptors the server reflects, decodes refusals
with the reflected google.rpc types, and runs the whole flow: sign in, change
the password, request a reset, read the mail, submit the reset, sign in.

The client below uses none of passgate's generated code."""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from rpc_support import NEW_PASSWORD, PASSWORD, THIRD_PASSWORD, wait_links_to
from server_support import UserFactory

from passgate.testing import ServerProcess

SERVICE = "passgate.auth.v1.AuthService"


class ReflectedClient:
    def __init__(self, channel: grpc.Channel, api_key: str) -> None:
        self.channel = channel
        self.api_key = api_key
        self.pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
        self.service = self.pool.FindServiceByName(SERVICE)

    def message_class(self, full_name: str) -> Any:
        return message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))

    def call(self, method: str, session: str | None = None, **fields: Any) -> Any:
        """The response, or (status code, decoded details) when refused."""
        descriptor = self.service.methods_by_name[method]
        request_class = message_factory.GetMessageClass(descriptor.input_type)
        response_class = message_factory.GetMessageClass(descriptor.output_type)
        rpc = self.channel.unary_unary(
            f"/{SERVICE}/{method}",
            request_serializer=request_class.SerializeToString,
            response_deserializer=response_class.FromString,
        )
        metadata = [("x-api-key", self.api_key)]
        if session is not None:
            metadata.append(("authorization", f"Bearer {session}"))
        try:
            return rpc(request_class(**fields), metadata=metadata, timeout=30)
        except grpc.RpcError as error:
            return error.code(), self.details(error)  # type: ignore[attr-defined]

    def details(self, error: Any) -> list[Any]:
        """The status details, each decoded with the type the server reflects for it."""
        raw = dict(error.trailing_metadata())["grpc-status-details-bin"]
        status = self.message_class("google.rpc.Status").FromString(raw)
        return [
            self.message_class(packed.type_url.rsplit("/", 1)[-1]).FromString(packed.value)
            for packed in status.details
        ]


def reason_of(refused: Any) -> tuple[grpc.StatusCode, list[str]]:
    code, details = refused
    return code, [d.reason for d in details if d.DESCRIPTOR.full_name == "google.rpc.ErrorInfo"]


def test_the_whole_flow_through_reflection_alone(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    user = make_user()
    api = ReflectedClient(shared_channel, server.api_key)

    refused = api.call("SignIn", email=user.email, password=NEW_PASSWORD)
    assert reason_of(refused) == (grpc.StatusCode.UNAUTHENTICATED, ["INVALID_CREDENTIALS"])

    signed_in = api.call("SignIn", email=user.email, password=PASSWORD)
    assert signed_in.user_id == user.user_id

    weak = api.call(
        "ChangePassword", signed_in.session_token,
        old_password=PASSWORD, new_password="short", confirm_password="short",
    )  # fmt: skip
    code, details = weak
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    violations = [
        (v.field, v.reason)
        for d in details
        if d.DESCRIPTOR.full_name == "google.rpc.BadRequest"
        for v in d.field_violations
    ]
    assert ("new_password", "PASSWORD_TOO_SHORT") in violations

    changed = api.call(
        "ChangePassword", signed_in.session_token,
        old_password=PASSWORD, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD,
    )  # fmt: skip
    assert changed.session_token
    assert api.call("VerifySession", session_token=changed.session_token).user_id == user.user_id

    assert api.call("RequestReset", email=user.email).ByteSize() == 0
    link = wait_links_to(server.mail_dir, user.email)[-1]
    assert link.user_id == user.user_id

    submitted = api.call(
        "SubmitReset", user_id=link.user_id, token=link.token, new_password=THIRD_PASSWORD
    )
    assert submitted.ByteSize() == 0
    revoked = api.call("VerifySession", session_token=changed.session_token)
    assert reason_of(revoked) == (grpc.StatusCode.UNAUTHENTICATED, ["SESSION_INVALID"])

    final = api.call("SignIn", email=user.email, password=THIRD_PASSWORD)
    assert final.user_id == user.user_id
    assert final.expires_at.seconds > 0
    assert api.call("SignOut", final.session_token).ByteSize() == 0
