"""Server reflection that resolves every symbol a tool may ask for, and
answers with passgate's files as documented.

Stock grpcio-reflection finds files by services, messages and enums only, so
`grpcurl describe passgate.auth.v1.AuthService.SignIn` and ghz without
`--proto` fail with "Symbol not found". Here a symbol that is not found is
looked up as a member (method, field, enum value, nested type) of its
parent, and answered with the parent's file.

The generated Python modules keep no comments, so passgate's own files are
served from `documented_protos.binpb` (written by scripts/generate from
protos/ with their source information): `grpcurl describe
passgate.auth.v1.SignInRequest` prints each field's comment.

Both reflection services are served, `grpc.reflection.v1` (what current
tools ask first) and `grpc.reflection.v1alpha` (what older ones ask), by one
servicer from the same descriptors. grpcio-reflection ships v1alpha only; v1
has the same messages with the same field numbers in another package, so its
calls are the same bytes on the wire and are decoded and answered with the
v1alpha classes. Its file is described in the pool (built from v1alpha's, see
`_v1_file`), so tools can describe it too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool
from google.rpc import error_details_pb2, status_pb2  # noqa: F401  (served for error details)
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha._async import ReflectionServicer as AsyncReflectionServicer
from grpc_reflection.v1alpha._base import _file_descriptor_response, _not_found_error

from passgate.generic_handlers import HandlerTarget, add_servicer


def _has_member(pool: descriptor_pool.DescriptorPool, parent: str, member: str) -> bool:
    finders: tuple[tuple[str, str], ...] = (
        ("FindServiceByName", "methods_by_name"),
        ("FindMessageTypeByName", "fields_by_name"),
        ("FindMessageTypeByName", "nested_types_by_name"),
        ("FindMessageTypeByName", "enum_types_by_name"),
        ("FindMessageTypeByName", "oneofs_by_name"),
        ("FindEnumTypeByName", "values_by_name"),
    )
    for finder, members in finders:
        try:
            found: Any = getattr(pool, finder)(parent)
        except KeyError:
            continue
        if member in getattr(found, members):
            return True
    return False


DOCUMENTED = Path(__file__).with_name("documented_protos.binpb")


@cache
def _documented() -> dict[str, bytes]:
    """passgate's files with their comments, serialized, by file name."""
    files = descriptor_pb2.FileDescriptorSet.FromString(DOCUMENTED.read_bytes()).file
    return {file.name: file.SerializeToString() for file in files}


def _with_comments(response: Any) -> Any:
    """`response` with passgate's files swapped for their documented copies."""
    if response.WhichOneof("message_response") != "file_descriptor_response":
        return response
    served = response.file_descriptor_response.file_descriptor_proto
    documented = _documented()
    for i, raw in enumerate(served):
        name = descriptor_pb2.FileDescriptorProto.FromString(raw).name
        if name in documented:
            served[i] = documented[name]
    return response


class ReflectionServicer(AsyncReflectionServicer):  # type: ignore[misc]
    def _file_by_filename(self, request: Any, filename: str) -> Any:
        return _with_comments(super()._file_by_filename(request, filename))

    def _file_containing_extension(
        self, request: Any, containing_type: str, extension_number: int
    ) -> Any:
        return _with_comments(
            super()._file_containing_extension(request, containing_type, extension_number)
        )

    def _file_containing_symbol(self, request: Any, fully_qualified_name: str) -> Any:
        return _with_comments(self._find_symbol(request, fully_qualified_name))

    def _find_symbol(self, request: Any, fully_qualified_name: str) -> Any:
        pool: descriptor_pool.DescriptorPool = self._pool
        try:
            file: descriptor.FileDescriptor = pool.FindFileContainingSymbol(fully_qualified_name)
        except KeyError:
            parent, _, member = fully_qualified_name.rpartition(".")
            if not parent or not _has_member(pool, parent, member):
                return _not_found_error(request)
            file = pool.FindFileContainingSymbol(parent)
        return _file_descriptor_response(file, request)


V1_PACKAGE = "grpc.reflection.v1"
V1_SERVICE_NAME = f"{V1_PACKAGE}.ServerReflection"
V1_FILE = "grpc/reflection/v1/reflection.proto"


def _v1_file() -> descriptor_pb2.FileDescriptorProto:
    """reflection.proto of v1: v1alpha's, moved to the v1 package (the same
    messages, fields and numbers), with v1's name and language options."""
    alpha = reflection_pb2.DESCRIPTOR
    file = descriptor_pb2.FileDescriptorProto()
    alpha.CopyToProto(file)
    old, new = f".{alpha.package}.", f".{V1_PACKAGE}."
    file.name, file.package = V1_FILE, V1_PACKAGE
    file.options.Clear()
    file.options.java_package = "io.grpc.reflection.v1"
    file.options.java_outer_classname = "ServerReflectionProto"
    file.options.java_multiple_files = True
    file.options.go_package = "google.golang.org/grpc/reflection/grpc_reflection_v1"
    for message in file.message_type:
        for field in message.field:
            if field.type_name:
                field.type_name = field.type_name.replace(old, new, 1)
    for method in file.service[0].method:
        method.input_type = method.input_type.replace(old, new, 1)
        method.output_type = method.output_type.replace(old, new, 1)
    return file


def _describe_v1(pool: descriptor_pool.DescriptorPool) -> None:
    """Puts v1's file in `pool` (once per process), for reflection to serve."""
    try:
        pool.FindFileByName(V1_FILE)
    except KeyError:
        pool.AddSerializedFile(_v1_file().SerializeToString())


def enable_reflection(service_names: list[str], server: HandlerTarget) -> None:
    """Serves reflection v1 and v1alpha from one servicer, listing both."""
    _describe_v1(descriptor_pool.Default())
    servicer = ReflectionServicer([*service_names, V1_SERVICE_NAME, reflection.SERVICE_NAME])
    add_servicer(reflection_pb2_grpc.add_ServerReflectionServicer_to_server, servicer, server)
    v1 = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(V1_SERVICE_NAME, {"ServerReflectionInfo": v1}),)
    )


# Calls that need no API key and are not charged to any budget.
REFLECTION_PREFIXES = (f"/{V1_SERVICE_NAME}/", f"/{reflection.SERVICE_NAME}/")
