# Count the words of a document on the web, as if it were a file.
import urllib.request

counts = dict()
fhand = urllib.request.urlopen('http://data.pr4e.org/romeo.txt')
for line in fhand:
    for word in line.decode().split():
        counts[word] = counts.get(word, 0) + 1
print(counts)
