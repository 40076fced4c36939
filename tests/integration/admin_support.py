"""Calling AdminService over a real channel with an admin key, and making the
keys and tenants the admin tests act with."""

from __future__ import annotations

import uuid

import grpc
from rpc_support import Client

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.admin.v1 import admin_service_pb2_grpc
from passgate.testing import ServerProcess


class AdminClient(Client):
    """AdminService over one channel with one API key (`call`, `outcome`, `refuse`)."""

    def __init__(self, channel: grpc.Channel, api_key: str) -> None:
        super().__init__(channel, api_key)
        self.stub = admin_service_pb2_grpc.AdminServiceStub(channel)

    def get_user(self, user_id: str) -> admin_pb.User:
        return self.call("GetUser", admin_pb.GetUserRequest(user_id=user_id)).user

    def create_user(self, email: str, password: str, **kw: object) -> admin_pb.User:
        request = admin_pb.CreateUserRequest(email=email, password=password, **kw)
        return self.call("CreateUser", request).user


def admin_key(server: ServerProcess, tenant: str = "default") -> str:
    """A new key with the admin scope in `tenant`."""
    return server.create_api_key(
        f"admin-{uuid.uuid4().hex[:8]}", "--scopes", "admin", "--tenant", tenant
    )


def new_tenant(server: ServerProcess) -> str:
    """A tenant no other test uses, made with the CLI."""
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    server.cli("tenant", "create", tenant)
    return tenant
