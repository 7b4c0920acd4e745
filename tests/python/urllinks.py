# List every link of a page with Python's own html.parser (no BeautifulSoup needed).
import urllib.request
from html.parser import HTMLParser


class LinkLister(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag == 'a':
            print(dict(attrs).get('href', None))


url = input('Enter - ')
html = urllib.request.urlopen(url).read().decode()
LinkLister().feed(html)
