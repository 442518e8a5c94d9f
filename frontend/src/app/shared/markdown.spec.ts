import { renderMarkdown, type MentionContext } from './markdown';

/** The rendered HTML parsed by the browser (jsdom): what a reader's DOM would hold. */
function dom(text: string, mentions?: MentionContext): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = renderMarkdown(text, mentions);
  return host;
}

const elementNames = (host: HTMLElement) => Array.from(host.querySelectorAll('*'), (node) => node.tagName.toLowerCase());

describe('renderMarkdown: the safe subset', () => {
  it('renders bold, italic, inline code and a fenced code block', () => {
    const host = dom('**bold** and *italic* and _also_ and `a < b`\n\n```\nif (a < b) {}\n```');
    expect(host.querySelector('strong')?.textContent).toBe('bold');
    expect(Array.from(host.querySelectorAll('em'), (em) => em.textContent)).toEqual(['italic', 'also']);
    expect(host.querySelector('p > code')?.textContent).toBe('a < b');
    expect(host.querySelector('pre > code')?.textContent).toBe('if (a < b) {}\n');
  });

  it('keeps line breaks of one paragraph', () => {
    const host = dom('first line\nsecond line');
    expect(host.querySelectorAll('br')).toHaveLength(1);
    expect(host.textContent).toBe('first line\nsecond line');
  });

  it('renders links and bare URLs that open in a new tab without an opener or referrer', () => {
    const host = dom('see [the docs](https://example.com/docs?a=1&b=2) or https://chatstream.dev/x or [mail](mailto:ops@example.com)');
    const links = Array.from(host.querySelectorAll('a'));
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['the docs', 'https://example.com/docs?a=1&b=2'],
      ['https://chatstream.dev/x', 'https://chatstream.dev/x'],
      ['mail', 'mailto:ops@example.com'],
    ]);
    for (const link of links) {
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
  });

  it('leaves other Markdown as the text typed: headings, lists, quotes, tables, file names', () => {
    const text = '# Title\n- item\n> quote\n| a | b |\nopen file.ts or a@b.co';
    const host = dom(text);
    expect(elementNames(host).filter((name) => name !== 'p' && name !== 'br')).toEqual([]);
    expect(host.textContent?.replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
  });

  it('never loads an image: image syntax is at most a link to it', () => {
    const host = dom('![cat](https://example.com/cat.png)');
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector('a')?.getAttribute('href')).toBe('https://example.com/cat.png');
  });

  it('a backslash escapes Markdown syntax', () => {
    const host = dom('\\*not italic\\*');
    expect(host.querySelector('em')).toBeNull();
    expect(host.textContent).toBe('*not italic*');
  });
});

describe('renderMarkdown: hostile text stays text', () => {
  it.each([
    ['<script>alert(1)</script>'],
    ['<img src=x onerror=alert(1)>'],
    ['**<img src=x onerror=alert(1)>**'],
    ['`<script>`'],
    ['<a href="javascript:alert(1)">x</a>'],
    ['<svg onload=alert(1)>'],
    ['```html\n<script>alert(1)</script>\n```'],
  ])('%s renders as its own text, with no element of its own', (text) => {
    const host = dom(text);
    expect(host.querySelector('script, img, svg, iframe, [onerror], [onload]')).toBeNull();
    expect(host.querySelectorAll('a')).toHaveLength(0);
    expect(host.textContent).toContain(text.replace(/^[*`]+|[*`]+$/g, '').replace(/^html\n/, ''));
  });

  it.each([
    ['[click](javascript:alert(1))'],
    ['[click](JAVASCRIPT:alert(1))'],
    ['[click](  javascript:alert(1))'],
    ['[click](java\tscript:alert(1))'],
    ['[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['[click](vbscript:msgbox(1))'],
    ['[click](/relative/path)'],
    ['[click](&#106;avascript:alert(1))'],
    ['javascript:alert(1)'],
    ['//evil.example/x'],
    ['[click](//evil.example/x)'],
  ])('%s is not a link', (text) => {
    const host = dom(text);
    expect(host.querySelectorAll('a')).toHaveLength(0);
    expect(host.textContent).toContain(text);
  });

  it('a link text cannot smuggle markup, and its title and URL are escaped', () => {
    const host = dom('[<img src=x onerror=alert(1)>](https://example.com/"onmouseover="alert(1) "t\\"itle")');
    expect(host.querySelector('img')).toBeNull();
    for (const link of Array.from(host.querySelectorAll('a'))) {
      expect(link.getAttributeNames().sort()).toEqual(expect.arrayContaining(['href', 'rel', 'target']));
      expect(link.getAttributeNames().filter((name) => name.startsWith('on'))).toEqual([]);
    }
  });

  it('HTML entities are shown as typed, not decoded into markup', () => {
    const host = dom('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;');
    expect(host.querySelector('script, b')).toBeNull();
    expect(host.textContent).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;');
  });

  it('nested emphasis around hostile HTML stays text inside the emphasis', () => {
    const host = dom('***<b>x</b>*** _**`<i>`**_');
    expect(host.querySelector('b, i')).toBeNull();
    expect(host.querySelector('strong')?.textContent).toBe('<b>x</b>');
    expect(host.querySelector('em strong code')?.textContent).toBe('<i>');
  });
});

describe('renderMarkdown: mentions', () => {
  const context: MentionContext = { names: new Set(['alice', 'bob']), self: 'alice' };

  it('wraps each resolved @name in a mention span; the signed-in user\'s is marked "mention-me"', () => {
    const host = dom('hey @Alice and @bob. and @carol', context);
    const mentions = Array.from(host.querySelectorAll('span.mention'));
    expect(mentions.map((span) => [span.textContent, span.classList.contains('mention-me')])).toEqual([
      ['@Alice', true],
      ['@bob', false],
    ]);
    expect(host.textContent).toBe('hey @Alice and @bob. and @carol');
  });

  it('names inside an address, a word, a link or code are not mentions', () => {
    const host = dom('mail alice@example.com, x@bob, [@alice](https://example.com) `@bob`', context);
    expect(host.querySelectorAll('span.mention')).toHaveLength(0);
  });

  it('a mention inside emphasis is still one, and a hostile name around it stays text', () => {
    const host = dom('**@bob** <img src=x onerror=alert(1)>@alice', context);
    expect(host.querySelector('strong span.mention')?.textContent).toBe('@bob');
    expect(host.querySelector('img')).toBeNull();
  });

  it('without resolved names nothing is marked', () => {
    expect(dom('@alice', { names: new Set(), self: 'alice' }).querySelectorAll('span.mention')).toHaveLength(0);
    expect(dom('@alice').querySelectorAll('span.mention')).toHaveLength(0);
  });
});
