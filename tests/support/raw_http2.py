"""A gRPC call made by hand over HTTP/2 with the `h2` library, for what grpcio's
own client refuses to send (header values that are not ASCII, for one)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.events


@dataclass(frozen=True)
class RawAnswer:
    headers: dict[bytes, bytes]  # response headers and trailers together
    reset: bool  # the server reset the stream instead of answering

    @property
    def grpc_status(self) -> int | None:
        value = self.headers.get(b"grpc-status")
        return None if value is None else int(value)


def raw_unary_call(
    target: str, path: str, headers: list[tuple[bytes, bytes]], message: bytes
) -> RawAnswer:
    """One unary call to `path` with `headers` as given, byte for byte, and one message."""
    host, port = target.rsplit(":", 1)
    config = h2.config.H2Configuration(
        client_side=True,
        header_encoding=None,
        validate_outbound_headers=False,
        normalize_outbound_headers=False,
        validate_inbound_headers=False,
    )
    connection = h2.connection.H2Connection(config=config)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        connection.initiate_connection()
        stream = connection.get_next_available_stream_id()
        connection.send_headers(
            stream,
            [
                (b":method", b"POST"),
                (b":scheme", b"http"),
                (b":path", path.encode()),
                (b":authority", target.encode()),
                (b"content-type", b"application/grpc"),
                (b"te", b"trailers"),
                *headers,
            ],
        )
        connection.send_data(stream, b"\x00" + len(message).to_bytes(4, "big") + message)
        connection.end_stream(stream)
        sock.sendall(connection.data_to_send())
        received: dict[bytes, bytes] = {}
        while True:
            data = sock.recv(65536)
            if not data:
                return RawAnswer(received, reset=False)
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived | h2.events.TrailersReceived):
                    received.update((bytes(k), bytes(v)) for k, v in event.headers)
                elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                    return RawAnswer(received, reset=True)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                    return RawAnswer(received, reset=False)
                elif isinstance(event, h2.events.DataReceived):
                    connection.acknowledge_received_data(
                        event.flow_controlled_length, event.stream_id
                    )
            sock.sendall(connection.data_to_send())
