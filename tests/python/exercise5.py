# Exercise 5: fetch with a socket, but show only what follows the headers and the blank line.
import socket

url = input('Enter a URL: ')
try:
    host = url.split('/')[2]
    mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    mysock.connect((host, 80))
    mysock.send(('GET ' + url + ' HTTP/1.0\r\n\r\n').encode())
except (IndexError, OSError) as error:
    print('Could not fetch', url, '-', error)
    quit()

received = b''
while True:
    data = mysock.recv(512)
    if len(data) < 1:
        break
    received = received + data
mysock.close()

end = received.find(b'\r\n\r\n')
print(received[end + 4:].decode(), end='')
