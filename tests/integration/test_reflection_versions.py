"""Server reflection answers under both names tools use: grpc.reflection.v1
(asked first by current grpcurl, grpc-go and grpc-java tools) and
grpc.reflection.v1alpha, from the same descriptors, passgate's with their
comments. A real server, a real gRPC client calling each method by its path,
and the real grpcurl."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2
from grpcurl_tool import grpcurl_folder

from passgate.testing import ServerProcess

V1 = "grpc.reflection.v1.ServerReflection"
V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
SIGN_IN_REQUEST = "passgate.auth.v1.SignInRequest"
PASSWORD_COMMENT = "The password: 1 to 1024 characters."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path_factory.mktemp("reflection")) as running:
        yield running


def ask(
    target: str, service: str, request: reflection_pb2.ServerReflectionRequest
) -> reflection_pb2.ServerReflectionResponse:
    """One request on `service`'s stream. v1 and v1alpha messages have the
    same fields and numbers, so one pair of classes writes and reads both."""
    with grpc.insecure_channel(target) as channel:
        stream = channel.stream_stream(
            f"/{service}/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        (answer,) = list(stream(iter([request]), timeout=10))
    return answer


def files(
    answer: reflection_pb2.ServerReflectionResponse,
) -> list[descriptor_pb2.FileDescriptorProto]:
    assert answer.WhichOneof("message_response") == "file_descriptor_response", answer
    return [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in answer.file_descriptor_response.file_descriptor_proto
    ]


def comments(file: descriptor_pb2.FileDescriptorProto) -> str:
    return "\n".join(
        location.leading_comments + location.trailing_comments
        for location in file.source_code_info.location
    )


@pytest.mark.parametrize("service", [V1, V1ALPHA])
def test_each_version_serves_sign_in_request_with_its_comments(
    server: ServerProcess, service: str
) -> None:
    request = reflection_pb2.ServerReflectionRequest(file_containing_symbol=SIGN_IN_REQUEST)
    answer = ask(server.target, service, request)
    assert answer.original_request == request
    (containing,) = [f for f in files(answer) if f.package == "passgate.auth.v1"]
    assert "SignInRequest" in [message.name for message in containing.message_type]
    assert PASSWORD_COMMENT in comments(containing)


def test_both_versions_give_the_same_descriptors(server: ServerProcess) -> None:
    for request in (
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=SIGN_IN_REQUEST),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="google.rpc.ErrorInfo"),
        reflection_pb2.ServerReflectionRequest(
            file_containing_symbol="passgate.auth.v1.AuthService.SignIn"
        ),
    ):
        assert ask(server.target, V1, request) == ask(server.target, V1ALPHA, request)


def test_both_versions_list_both_reflection_services(server: ServerProcess) -> None:
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    for service in (V1, V1ALPHA):
        listed = {
            s.name for s in ask(server.target, service, request).list_services_response.service
        }
        assert {V1, V1ALPHA, "passgate.auth.v1.AuthService", "grpc.health.v1.Health"} <= listed


def test_v1_describes_itself_in_its_own_package(server: ServerProcess) -> None:
    """The v1 file is v1alpha's messages and numbers under grpc.reflection.v1."""
    request = reflection_pb2.ServerReflectionRequest(file_containing_symbol=V1)
    (v1,) = files(ask(server.target, V1, request))
    alpha = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(alpha)
    assert (v1.name, v1.package) == ("grpc/reflection/v1/reflection.proto", "grpc.reflection.v1")
    assert [(m.name, [(f.name, f.number) for f in m.field]) for m in v1.message_type] == [
        (m.name, [(f.name, f.number) for f in m.field]) for m in alpha.message_type
    ]
    (method,) = v1.service[0].method
    assert method.input_type == ".grpc.reflection.v1.ServerReflectionRequest"


def grpcurl(*args: str) -> str:
    done = subprocess.run(
        [str(Path(grpcurl_folder()) / "grpcurl"), "-plaintext", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_grpcurl_lists_both_and_describes_with_comments(server: ServerProcess) -> None:
    listed = grpcurl(server.target, "list").split()
    assert V1 in listed and V1ALPHA in listed
    assert PASSWORD_COMMENT in grpcurl(server.target, "describe", SIGN_IN_REQUEST)
    assert "rpc ServerReflectionInfo" in grpcurl(server.target, "describe", V1)
