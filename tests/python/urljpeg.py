# Fetch a picture with a socket, report each recv() as it comes, then save the body after the headers.
import socket

mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
mysock.connect(('data.pr4e.org', 80))
mysock.sendall(b'GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n')

count = 0
picture = b''
while True:
    data = mysock.recv(5120)
    if len(data) < 1:
        break
    count = count + len(data)
    print(len(data), count)
    picture = picture + data
mysock.close()

# The headers end at the first blank line: \r\n\r\n
pos = picture.find(b'\r\n\r\n')
print('Header length', pos)
print(picture[:pos].decode())

picture = picture[pos + 4:]
fhand = open('stuff.jpg', 'wb')
fhand.write(picture)
fhand.close()
