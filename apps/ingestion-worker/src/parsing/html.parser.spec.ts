import { htmlToText } from './html.parser';
import { cleanText } from './text-cleaner';

const toText = (html: string) => cleanText(htmlToText(html), { trimLineStarts: true });

describe('htmlToText', () => {
  it('keeps the content, as headings, paragraphs and list items, and decodes entities', () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style><script>alert(1)</script></head>
      <body><main><article><header><h1>Guide &amp; Notes</h1></header>
      <p>First   paragraph with <b>bold</b> and <a href="x">a link</a>.</p>
      <h2>Steps</h2><ul><li>One</li><li>Two &lt;2&gt;</li></ul>
      <p>Line<br>break</p><pre>  keep   spacing</pre></article></main></body></html>`;
    expect(toText(html)).toBe(
      '# Guide & Notes\n\nFirst paragraph with bold and a link.\n\n## Steps\n\n- One\n- Two <2>\n\nLine\nbreak\n\nkeep spacing',
    );
  });

  it('strips scripts, styles and page furniture', () => {
    const html = `<body><header><a>Home</a> <a>About</a></header><nav>Menu items</nav>
      <div role="navigation">More nav</div><aside>Related posts</aside>
      <div class="content"><p>Real content.</p><div hidden>hidden text</div><span aria-hidden="true">icon</span></div>
      <form><label>Search</label><input name="q"><button>Go</button></form>
      <noscript>Enable JS</noscript><footer>Copyright 2026</footer><script>var x = "<p>not text</p>";</script></body>`;
    expect(toText(html)).toBe('Real content.');
  });

  it('survives malformed markup (unclosed and stray tags)', () => {
    expect(toText('<div><p>one<p>two</div></span><li>three')).toBe('one\n\ntwo\n\n- three');
  });

  it('uses image alt text and separates table cells', () => {
    expect(toText('<p>See <img src="a.png" alt="the diagram"> here.</p><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>')).toBe(
      'See the diagram here.\n\na b\nc d',
    );
  });
});
