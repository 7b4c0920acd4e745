# Exercise 1: ask for any URL, take the host from it, fetch it with a socket, and handle errors.
import socket

url = input('Enter a URL: ')
try:
    host = url.split('/')[2]
    mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    mysock.connect((host, 80))
    cmd = 'GET ' + url + ' HTTP/1.0\r\n\r\n'
    mysock.send(cmd.encode())
except IndexError:
    print('That is not a URL like http://data.pr4e.org/romeo.txt')
    quit()
except OSError as error:
    print('Could not connect to', url, '-', error)
    quit()

while True:
    data = mysock.recv(512)
    if len(data) < 1:
        break
    print(data.decode(), end='')
mysock.close()
