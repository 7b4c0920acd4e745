# A small spider: read a page, then every page it links to, and so on, up to a number of pages.
import urllib.request
import urllib.parse
from html.parser import HTMLParser


class LinkCollector(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self)
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get('href', None)
        if tag == 'a' and href:
            self.links.append(href)


url = input('Enter - ')
count = int(input('How many pages: '))
todo = [url]
seen = []
while len(todo) > 0 and len(seen) < count:
    url = todo.pop(0)
    if url in seen:
        continue
    seen.append(url)
    print('Retrieving', url)
    try:
        document = urllib.request.urlopen(url)
    except Exception as error:
        print('   could not read it:', error)
        continue
    if 'html' not in document.headers.get('Content-Type', ''):
        continue
    collector = LinkCollector()
    collector.feed(document.read().decode())
    for link in collector.links:
        # A relative link is relative to the page it is on; the part after # is a place in a page.
        link = urllib.parse.urljoin(url, link).split('#')[0]
        if link.startswith('http') and link not in seen and link not in todo:
            todo.append(link)
print(len(seen), 'pages')
