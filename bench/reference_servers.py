"""The bare grpcio server passgate's cheap calls are measured against.

It is built the way passgate builds its own server (passgate/app.py): the same
Python, grpcio's asyncio server (`grpc.aio.server`) with the handler running on
the event loop, the same message-size, metadata-size and concurrency bounds,
health checking and server reflection. It has no interceptors, no database and no
logging: one method, `passgate.bench.v1.EchoService.Echo`, whose messages have
the shape of VerifySession's (a token string in; an id string and a Timestamp
out).

The service is described at run time from a FileDescriptorProto, so the bench
needs no generated code. Run it as `python -m bench.reference_servers echo
--listen 127.0.0.1:PORT ...`; it stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

ECHO_PACKAGE = "passgate.bench.v1"
ECHO_SERVICE = f"{ECHO_PACKAGE}.EchoService"
ECHO_CALL = f"{ECHO_SERVICE}.Echo"
ECHO_FILE = "passgate/bench/v1/echo.proto"
# What the echo answers: a user id of passgate's shape (a UUID) and a session end.
ECHO_USER_ID = "0b6f2a4e-5c1d-4e8f-9a7b-3c2d1e0f9a8b"
SESSION_SECONDS = 4 * 3600


def _echo_file() -> descriptor_pb2.FileDescriptorProto:
    string = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
    message = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
    optional = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
    proto = descriptor_pb2.FileDescriptorProto(
        name=ECHO_FILE,
        package=ECHO_PACKAGE,
        syntax="proto3",
        dependency=[timestamp_pb2.DESCRIPTOR.name],
    )
    request = proto.message_type.add(name="EchoRequest")
    request.field.add(
        name="session_token", number=1, type=string, label=optional, json_name="sessionToken"
    )
    response = proto.message_type.add(name="EchoResponse")
    response.field.add(name="user_id", number=1, type=string, label=optional, json_name="userId")
    response.field.add(
        name="expires_at",
        number=2,
        type=message,
        label=optional,
        type_name=".google.protobuf.Timestamp",
        json_name="expiresAt",
    )
    service = proto.service.add(name="EchoService")
    service.method.add(
        name="Echo",
        input_type=f".{ECHO_PACKAGE}.EchoRequest",
        output_type=f".{ECHO_PACKAGE}.EchoResponse",
    )
    return proto


def echo_messages() -> tuple[Any, Any]:
    """The request and response classes, registered in the default pool once."""
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(ECHO_FILE)
    except KeyError:
        pool.Add(_echo_file())
    request = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"{ECHO_PACKAGE}.EchoRequest")
    )
    response = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"{ECHO_PACKAGE}.EchoResponse")
    )
    return request, response


def write_protoset(path: Path) -> Path:
    """A descriptor set of the echo service with its imports, for `ghz --protoset`."""
    files = descriptor_pb2.FileDescriptorSet()
    timestamp_pb2.DESCRIPTOR.CopyToProto(files.file.add())
    files.file.append(_echo_file())
    path.write_bytes(files.SerializeToString())
    return path


def _enable_reflection(server: Any, service_names: list[str]) -> None:
    """Reflection as passgate serves it (method names resolve); grpcio's stock one otherwise."""
    try:
        from passgate.reflection import enable_reflection
    except ImportError:
        from grpc_reflection.v1alpha import reflection

        reflection.enable_server_reflection([*service_names, reflection.SERVICE_NAME], server)
        return
    enable_reflection(service_names, server)


def _add_servicer(add_to_server: Any, servicer: object, server: Any) -> None:
    """As passgate adds its servicers (generic handlers only, see
    passgate/generic_handlers.py); as generated otherwise."""
    try:
        from passgate.generic_handlers import add_servicer
    except ImportError:
        add_to_server(servicer, server)
        return
    add_servicer(add_to_server, servicer, server)


def build_echo_server(
    listen: str,
    *,
    max_message_bytes: int,
    max_metadata_bytes: int,
    max_concurrent_rpcs: int,
) -> tuple[Any, Any, int]:
    """The server, built on the running event loop; returns it, its health servicer and its port."""
    import grpc
    from grpc_health.v1 import health_pb2_grpc
    from grpc_health.v1.health import SERVICE_NAME as HEALTH_SERVICE
    from grpc_health.v1.health import aio as health_aio

    request_class, response_class = echo_messages()

    async def echo(request: Any, context: Any) -> Any:
        expires = timestamp_pb2.Timestamp(seconds=int(time.time()) + SESSION_SECONDS)
        return response_class(user_id=ECHO_USER_ID, expires_at=expires)

    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_metadata_size", max_metadata_bytes),
            ("grpc.so_reuseport", 0),
        ],
        maximum_concurrent_rpcs=max_concurrent_rpcs,
    )
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                ECHO_SERVICE,
                {
                    "Echo": grpc.unary_unary_rpc_method_handler(
                        echo,
                        request_deserializer=request_class.FromString,
                        response_serializer=response_class.SerializeToString,
                    )
                },
            ),
        )
    )
    health_servicer = health_aio.HealthServicer()
    _add_servicer(health_pb2_grpc.add_HealthServicer_to_server, health_servicer, server)
    _enable_reflection(server, [ECHO_SERVICE, HEALTH_SERVICE])
    port = server.add_insecure_port(listen)
    if port == 0:
        raise OSError(f"cannot listen on {listen}")
    return server, health_servicer, port


async def _serve(args: argparse.Namespace) -> None:
    from grpc_health.v1 import health_pb2

    server, health_servicer, _port = build_echo_server(
        args.listen,
        max_message_bytes=args.max_message_bytes,
        max_metadata_bytes=args.max_metadata_bytes,
        max_concurrent_rpcs=args.max_concurrent_rpcs,
    )
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    await server.start()
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, done.set)
    await done.wait()
    await server.stop(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reference_servers")
    parser.add_argument("kind", choices=("echo",))
    parser.add_argument("--listen", required=True)
    parser.add_argument("--max-message-bytes", type=int, required=True)
    parser.add_argument("--max-metadata-bytes", type=int, required=True)
    parser.add_argument("--max-concurrent-rpcs", type=int, required=True)
    asyncio.run(_serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
