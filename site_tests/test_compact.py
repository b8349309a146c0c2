"""Built pages without the theme's indentation (site/compact.py): the same page in fewer bytes."""

from __future__ import annotations

import pytest

from mkdocs_sla.site.compact import compact_html, compact_page


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<li>\n      <a>x</a>\n    </li>", "<li>\n<a>x</a>\n</li>"),
        ("<span>a</span>    <span>b</span>", "<span>a</span> <span>b</span>"),
        ("<p>one\n\n\n   two</p>", "<p>one\ntwo</p>"),
        ("<pre><code>a\n    b  c</code></pre>  <p>x</p>", "<pre><code>a\n    b  c</code></pre> <p>x</p>"),
        ("<code>a   b</code>", "<code>a   b</code>"),
        ("<kbd>Ctrl  C</kbd>", "<kbd>Ctrl  C</kbd>"),
        ("<textarea>\n  keep\n</textarea>", "<textarea>\n  keep\n</textarea>"),
        ('<script>var s = "a    b";\n    f()</script>', '<script>var s = "a    b";\n    f()</script>'),
        ("<style>\n  a  { color: red }\n</style>", "<style>\n  a  { color: red }\n</style>"),
        ("<PRE>  x  </PRE>", "<PRE>  x  </PRE>"),
    ],
)
def test_whitespace_runs_shrink_to_one_character_except_where_whitespace_shows(html, expected):
    assert compact_html(html) == expected


def test_a_page_is_compacted_around_its_content_which_is_copied_as_it_is():
    content = "<p>a    b</p>"
    page = f"<body>\n    <article>{content}</article>\n    </body>"
    assert compact_page(page, content) == f"<body>\n<article>{content}</article>\n</body>"
    assert compact_page(page, None) == "<body>\n<article><p>a b</p></article>\n</body>"
