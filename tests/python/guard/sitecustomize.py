"""Loopback guard for Socket Lab's Python tests.

Python imports sitecustomize at start-up when it is on PYTHONPATH, so every test program gets this first. Any
attempt to reach an address outside 127.0.0.0/8 and ::1 (a connect, a name lookup, a datagram) ends the
program at once with exit code 86 and a line on stderr. It ends the program with os._exit instead of raising,
so a program that catches every error (a spider does) still cannot carry on and hide it.
"""
import ipaddress
import os
import socket
import sys

GUARD_EXIT_CODE = 86
_ALLOWED_NAMES = ('localhost',)
# This computer's own name (smtplib looks it up for EHLO): answered as 127.0.0.1, never asked of a resolver.
_OWN_NAMES = tuple(name.lower() for name in {socket.gethostname(), socket.gethostname().split('.')[0]} if name)
_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname
_real_gethostbyname_ex = socket.gethostbyname_ex
_real_gethostbyaddr = socket.gethostbyaddr
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto


def _stop(what):
    sys.stderr.write('LOOPBACK GUARD: blocked %s: tests may reach only 127.0.0.0/8 and ::1\n' % (what,))
    sys.stderr.flush()
    os._exit(GUARD_EXIT_CODE)


def _is_loopback_literal(host):
    try:
        address = ipaddress.ip_address(host.split('%')[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _host_text(host):
    return host.decode('ascii', 'replace') if isinstance(host, (bytes, bytearray)) else host


def _check_name(host, port, what):
    if host is None:
        return
    text = _host_text(host)
    if not isinstance(text, str):
        return
    if text.lower() in _ALLOWED_NAMES or _is_loopback_literal(text):
        return
    if not text or any(ch in text for ch in ' :/@[]') and not _looks_like_ip(text):
        # Not a host name at all ('127.0.0.1:8080'): say what the resolver says, without asking it.
        raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')
    _stop('%s %s port %s' % (what, text, port))


def _looks_like_ip(text):
    try:
        ipaddress.ip_address(text.split('%')[0])
        return True
    except ValueError:
        return False


def _check_address(sock, address, what):
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return
    _check_name(address[0], address[1] if len(address) > 1 else '?', what)


def _own(host):
    text = _host_text(host)
    return isinstance(text, str) and text.lower() in _OWN_NAMES


def getaddrinfo(host, port, *args, **kwargs):
    if _own(host):
        return _real_getaddrinfo('127.0.0.1', port, *args, **kwargs)
    _check_name(host, port, 'looking up')
    return _real_getaddrinfo(host, port, *args, **kwargs)


def gethostbyname(host):
    if _own(host):
        return '127.0.0.1'
    _check_name(host, '-', 'looking up')
    return _real_gethostbyname(host)


def gethostbyname_ex(host):
    if _own(host):
        return (_host_text(host), [], ['127.0.0.1'])
    _check_name(host, '-', 'looking up')
    return _real_gethostbyname_ex(host)


def gethostbyaddr(host):
    if _own(host):
        return (_host_text(host), [], ['127.0.0.1'])
    _check_name(host, '-', 'looking up')
    return _real_gethostbyaddr(host)


def connect(self, address):
    _check_address(self, address, 'connecting to')
    return _real_connect(self, address)


def connect_ex(self, address):
    _check_address(self, address, 'connecting to')
    return _real_connect_ex(self, address)


def sendto(self, data, *rest):
    address = rest[-1] if rest else None
    _check_address(self, address, 'sending a datagram to')
    return _real_sendto(self, data, *rest)


socket.getaddrinfo = getaddrinfo
socket.gethostbyname = gethostbyname
socket.gethostbyname_ex = gethostbyname_ex
socket.gethostbyaddr = gethostbyaddr
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.loopback_guard = True
