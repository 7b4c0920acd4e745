# Exercise 3: exercise 2 again, with urllib: show at most 3000 characters, report the total.
import urllib.request

url = input('Enter a URL: ')
try:
    document = urllib.request.urlopen(url).read().decode()
except Exception as error:
    print('Could not fetch', url, '-', error)
    quit()

print(document[:3000])
print('Characters in the document:', len(document))
