"""base.html's helpers: the page title rendered once, for <title> and for the print header."""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist  # rendered with its {% block %}: a child template's override applies
        self.name = name

    def render(self, context: template.Context) -> str:
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # rendered, so already escaped
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    """{% capture as name %}…{% endcapture %}: renders what it holds into `name` (already
    escaped where the template escapes), outputs nothing. base.html captures {% block title %}
    once and prints it in <title> and in the print-only header, since a block cannot appear twice."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
