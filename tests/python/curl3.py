# Save whatever a URL names under the last part of its path, like curl -O.
import urllib.request

url = 'http://www.py4e.com/cover.jpg'
name = url.split('/')[-1]
img = urllib.request.urlopen(url)
fhand = open(name, 'wb')
size = 0
while True:
    info = img.read(100000)
    if len(info) < 1:
        break
    size = size + len(info)
    fhand.write(info)

print(size, 'characters copied to', name)
fhand.close()
