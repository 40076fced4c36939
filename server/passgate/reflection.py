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
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool
from google.rpc import error_details_pb2, status_pb2  # noqa: F401  (served for error details)
from grpc_reflection.v1alpha import reflection, reflection_pb2_grpc
from grpc_reflection.v1alpha._async import ReflectionServicer as AsyncReflectionServicer
from grpc_reflection.v1alpha._base import _file_descriptor_response, _not_found_error


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


def enable_reflection(service_names: list[str], server: grpc.aio.Server) -> None:
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(
        ReflectionServicer([*service_names, reflection.SERVICE_NAME]), server
    )


REFLECTION_PREFIX = f"/{reflection.SERVICE_NAME}/"
