import socket

import pytest

from tests.conftest import NetworkBlocked


def test_outside_connections_are_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("93.184.216.34", 80))
