"""Hidden HTML text never reaches the index: every trick of hiding text from a reader, one fixture each."""

from __future__ import annotations

import pytest

from rag.parse.hidden import invisible_on, parse_colour
from rag.parse.web import parse_html_text

SECRET = "Acme was founded on the moon in 1802"
VISIBLE = "Acme was founded in Utrecht in 2011."


def _page(hidden_markup: str, style: str = "") -> str:
    return (
        f"<html><head><title>About</title><style>{style}</style></head><body>"
        f"<h1>About Acme</h1><p>{VISIBLE}</p>{hidden_markup}<p>Support answers within a day.</p></body></html>"
    )


def _all_text(html: str) -> str:
    return "\n".join(e.text for e in parse_html_text(html, "about.html").elements)


TRICKS = {
    # inline styles
    "display none": _page(f'<div style="display:none">{SECRET}</div>'),
    "visibility hidden": _page(f'<p style="visibility: hidden">{SECRET}</p>'),
    "opacity zero": _page(f'<p style="opacity:0.0">{SECRET}</p>'),
    "off-screen left": _page(f'<p style="position:absolute; left:-9999px">{SECRET}</p>'),
    "off-screen top em": _page(f'<p style="position:fixed;top:-100em">{SECRET}</p>'),
    "text-indent": _page(f'<p style="text-indent:-9999px">{SECRET}</p>'),
    "translate away": _page(f'<p style="transform: translateX(-10000px)">{SECRET}</p>'),
    "scale zero": _page(f'<p style="transform:scale(0)">{SECRET}</p>'),
    "clip rect": _page(f'<p style="position:absolute;clip:rect(0 0 0 0)">{SECRET}</p>'),
    "clip rect 1px": _page(f'<p style="position:absolute;clip: rect(1px, 1px, 1px, 1px)">{SECRET}</p>'),
    "clip-path inset": _page(f'<p style="clip-path: inset(50%)">{SECRET}</p>'),
    "clip-path circle": _page(f'<p style="clip-path:circle(0)">{SECRET}</p>'),
    "zero height": _page(f'<div style="height:0;overflow:hidden"><p>{SECRET}</p></div>'),
    "max-height zero": _page(f'<div style="max-height:0px;overflow-y:hidden">{SECRET}</div>'),
    "one pixel box": _page(f'<span style="width:1px;height:1px;overflow:hidden;position:absolute">{SECRET}</span>'),
    "font color white": _page(f'<p><font color="white">{SECRET}</font></p>'),
    "near white fefefe": _page(f'<p style="color:#fefefe">{SECRET}</p>'),
    "near white fffffe": _page(f'<p style="color: #FFFFFE">{SECRET}</p>'),
    "rgb spaces": _page(f'<p style="color: rgb(255 255 255)">{SECRET}</p>'),
    "rgb 254": _page(f'<p style="color:rgb(254,254,254)">{SECRET}</p>'),
    "hsl white": _page(f'<p style="color:hsl(0 0% 100%)">{SECRET}</p>'),
    "transparent": _page(f'<p style="color:rgba(0,0,0,0)">{SECRET}</p>'),
    "black on black": _page(f'<div style="background:#000"><p style="color:#010101">{SECRET}</p></div>'),
    "one pixel text": _page(f'<p style="font-size:1px">{SECRET}</p>'),
    "tenth of an em": _page(f'<p style="font-size:0.1em">{SECRET}</p>'),
    "hidden attribute": _page(f"<p hidden>{SECRET}</p>"),
    "inherited white": _page(f'<div style="color:white"><p><span>{SECRET}</span></p></div>'),
    # <style> rules
    "class display none": _page(f'<div class="note x">{SECRET}</div>', ".note { display: none }"),
    "id rule": _page(f'<p id="seo">{SECRET}</p>', "#seo{visibility:hidden}"),
    "tag rule": _page(f"<aside>{SECRET}</aside>", "aside{display:none}"),
    "tag.class rule": _page(f'<p class="fine">{SECRET}</p>', "p.fine{font-size:1px}"),
    "selector list": _page(f'<p class="b">{SECRET}</p>', ".a, .b { position:absolute; left:-9999px }"),
    "descendant rule": _page(f'<div class="box"><p>{SECRET}</p></div>', ".box p{color:#fff}"),
    "class white text": _page(f'<p class="w">{SECRET}</p>', "/* theme */ .w{color:#fffffe}"),
    "media screen": _page(f'<p class="m">{SECRET}</p>', "@media screen { .m { display:none } }"),
    "important wins": _page(f'<p class="i" style="display:block">{SECRET}</p>', ".i{display:none !important}"),
    "class zero height": _page(f'<div class="c">{SECRET}</div>', ".c{max-height:0;overflow:hidden}"),
}


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_hidden_text_is_dropped_and_the_visible_text_next_to_it_kept(trick):
    text = _all_text(TRICKS[trick])
    assert "moon" not in text
    assert VISIBLE in text and "Support answers within a day." in text


SHOWN = {
    "white on a dark box": f'<div style="background-color:#1a1a1a"><p style="color:#fff">{SECRET}</p></div>',
    "white on a dark box from a rule": f'<div class="hero"><p>{SECRET}</p></div>',
    "white on an image": f'<div style="background:url(hero.jpg) center"><p style="color:white">{SECRET}</p></div>',
    "later rule shows it again": f'<div class="tab active">{SECRET}</div>',
    "more specific rule shows it": f'<div id="main" class="tab">{SECRET}</div>',
    "print-only rule": f'<p class="noprint">{SECRET}</p>',
    "hover rule": f'<p class="menu">{SECRET}</p>',
    "small but readable": f'<p style="font-size:11px">{SECRET}</p>',
    "light grey": f'<p style="color:#999">{SECRET}</p>',
    "dark text inside a white-text box": f'<div style="color:#fff"><p style="color:#222">{SECRET}</p></div>',
    "short offset": f'<p style="position:relative;left:-20px">{SECRET}</p>',
    "height with visible overflow": f'<div style="height:0">{SECRET}</div>',
}
SHOWN_CSS = (
    ".hero{background:#0b3d91;color:#fff} .tab{display:none} .tab.active{display:block} #main{display:block}"
    " @media print{.noprint{display:none}} .menu:hover{display:none}"
)


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_text_a_reader_can_see_is_kept(case):
    assert SECRET in _all_text(_page(SHOWN[case], SHOWN_CSS))


def test_colours_and_contrast():
    assert parse_colour("ffffff") == (1.0, 1.0, 1.0, 1.0)  # bgcolor=ffffff in old HTML
    assert parse_colour("inherit") is None
    white = (1.0, 1.0, 1.0, 1.0)
    assert invisible_on(parse_colour("#f8f8f8"), white)
    assert not invisible_on(parse_colour("#767676"), white)
    assert not invisible_on(parse_colour("white"), parse_colour("navy"))


def test_padding_the_stylesheet_cannot_push_a_hiding_rule_out_of_reach():
    padding = "".join(f"div.box > p.n{i} {{ display: block }} " for i in range(400))
    html = _page(f'<div class="box"><p class="n1">{SECRET}</p></div>', padding + ".box > p { display: none !important }")
    assert "moon" not in _all_text(html)


def test_deeply_nested_page_is_read():
    from rag.parse.web import parse_html_text

    html = "<div>" * 1500 + f"<p>{VISIBLE}</p>" + "</div>" * 1500
    assert VISIBLE in "\n".join(e.text for e in parse_html_text(html, "deep.html").elements)
