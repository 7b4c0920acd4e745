"""Test guard, loaded by Python at startup from PYTHONPATH: a script under test may reach loopback only.

Every connect (and every name lookup) is checked before the system is asked, so an address outside 127.0.0.0/8
and ::1 never sees a packet: the attempt raises PermissionError instead, and the test sees it on stderr.
"""
import ipaddress
import socket

GUARD = 'loopback only'
refused = []

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(str(host).split('%')[0]).is_loopback
    except ValueError:
        return False


def _check(address):
    host = address[0] if isinstance(address, tuple) else address
    if not _loopback(host):
        refused.append(host)
        raise PermissionError('test guard: %r is not a loopback address; tests reach only 127.0.0.0/8 and ::1' % (host,))


def guarded_connect(self, address):
    _check(address)
    return _connect(self, address)


def guarded_connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


def guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None:
        _check((host,))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = guarded_connect
socket.socket.connect_ex = guarded_connect_ex
socket.getaddrinfo = guarded_getaddrinfo
