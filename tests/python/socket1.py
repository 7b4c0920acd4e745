# Ask data.pr4e.org for romeo.txt with a socket, and print all that comes back.
import socket

mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
mysock.connect(('data.pr4e.org', 80))
request = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'.encode()
mysock.send(request)

while True:
    chunk = mysock.recv(512)
    if len(chunk) < 1:
        break  # the server closed its end: the reply is all here
    print(chunk.decode(), end='')

mysock.close()
