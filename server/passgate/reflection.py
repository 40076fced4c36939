"""Server reflection that resolves every symbol a tool may ask for.

Stock grpcio-reflection finds files by services, messages and enums only, so
`grpcurl describe passgate.auth.v1.AuthService.SignIn` and ghz without
`--proto` fail with "Symbol not found". Here a symbol that is not found is
looked up as a member (method, field, enum value, nested type) of its
parent, and answered with the parent's file.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import descriptor, descriptor_pool
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


class ReflectionServicer(AsyncReflectionServicer):  # type: ignore[misc]
    def _file_containing_symbol(self, request: Any, fully_qualified_name: str) -> Any:
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
