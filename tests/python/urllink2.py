# Look closely at each anchor tag of a page: its link, its words and its attributes.
import urllib.request
from html.parser import HTMLParser


class AnchorLooker(HTMLParser):
    inside = None

    def handle_starttag(self, tag, attrs):
        if tag == 'a':
            self.inside = dict(attrs)
            self.words = ''

    def handle_data(self, data):
        if self.inside is not None:
            self.words = self.words + data

    def handle_endtag(self, tag):
        if tag == 'a' and self.inside is not None:
            print('TAG: <a>')
            print('URL:', self.inside.get('href', None))
            print('Contents:', self.words.strip())
            print('Attrs:', self.inside)
            self.inside = None


url = input('Enter - ')
html = urllib.request.urlopen(url).read().decode()
AnchorLooker().feed(html)
