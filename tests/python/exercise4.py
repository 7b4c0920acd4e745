# Exercise 4: count the paragraph tags of a page.
import urllib.request
from html.parser import HTMLParser


class ParagraphCounter(HTMLParser):
    paragraphs = 0

    def handle_starttag(self, tag, attrs):
        if tag == 'p':
            self.paragraphs = self.paragraphs + 1


url = input('Enter - ')
counter = ParagraphCounter()
counter.feed(urllib.request.urlopen(url).read().decode())
print('Paragraphs:', counter.paragraphs)
