import socket

from apicore_callbacks.testing import CallbackReceiver


def test_a_request_cut_short_is_not_a_delivery() -> None:
    with CallbackReceiver() as receiver:
        with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as sock:
            sock.sendall(
                b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"partial": '
            )
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b""  # closed without an answer
        with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as sock:
            sock.sendall(
                b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                b"Connection: close\r\n\r\n{}"
            )
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
        assert receiver.wait_for(1, timeout=5)
        assert [d.body for d in receiver.deliveries] == [b"{}"]
