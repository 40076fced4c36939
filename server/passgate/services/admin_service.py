"""The AdminService servicer: protobuf in, domain calls, protobuf out.

Only keys with the `admin` scope reach it (see interceptors/api_key.py). The
command line (cli.py) calls the same domain code, so the two cannot drift.
Methods not yet served answer UNIMPLEMENTED (the generated base class).
"""

from __future__ import annotations

from passgate.admin.v1 import admin_service_pb2_grpc as pb_grpc
from passgate.services.admin_events import AdminEvents


class AdminService(AdminEvents, pb_grpc.AdminServiceServicer):
    pass
