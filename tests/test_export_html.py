"""The answer HTML of the Anki export: Markdown, code and math as real answers hold them."""

from __future__ import annotations

from qtreader.render.html import answer_html


def test_dollars_in_code_stay_code_and_math_outside_becomes_mathjax() -> None:
    html = answer_html("Cost $a_1 * b_2$ here.\n\n```sh\necho $HOME $PATH\n```\n\nAnd `$x$` too.")
    assert "<p>Cost \\(a_1 * b_2\\) here.</p>" in html  # no <em> made of TeX's _ and *
    assert '<code class="language-sh">echo $HOME $PATH\n</code>' in html
    assert "<code>$x$</code>" in html


def test_display_math_in_a_list_item_and_tex_escaped() -> None:
    html = answer_html("- when $$x < y \\quad \\text{and} \\quad a > b$$ holds\n- next")
    assert "\\[x &lt; y \\quad \\text{and} \\quad a &gt; b\\]" in html
    assert html.count("<li>") == 2


def test_raw_html_and_script_links_are_text() -> None:
    html = answer_html('<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onclick="y">z</b>')
    assert "<script" not in html and "<b " not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_private_marker_characters_in_an_answer_cannot_pull_in_a_formula() -> None:
    html = answer_html("Look \ue1000\ue101 and $e$.")
    assert html == "<p>Look 0 and \\(e\\).</p>"
