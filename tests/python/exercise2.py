# Exercise 2: as exercise 1, but show at most 3000 characters, and report how many came in all.
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

total = 0
shown = ''
while True:
    data = mysock.recv(512)
    if len(data) < 1:
        break
    text = data.decode()
    total = total + len(text)
    if len(shown) < 3000:
        shown = shown + text[:3000 - len(shown)]
mysock.close()

print(shown)
print('Characters received:', total)
