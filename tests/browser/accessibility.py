"""Accessibility checks for the browser tests: axe-core's WCAG 2.2 A and AA rules, plus the
checks axe cannot make (an error names its field, a date is a fieldset with a legend).

axe-core is vendored from npm by `make vendor` (tests/browser/vendor/axe-core, MPL-2.0) and
injected through the DevTools protocol, so the pages' Content Security Policy stays as served.
"""

from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDE, NARROW = 1280, 375


@cache
def _axe_source() -> str:
    return AXE.read_text()


def axe_violations(page) -> list[str]:
    """One readable line per failing element: the rule, its impact, where, and how to fix."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']})""",
        WCAG_22_A_AA,
    )
    lines = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    at {' '.join(node['target'])}: {node['html'][:160]}\n"
                f"    {node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return lines


def assert_no_axe_violations(page, *, widths=(WIDE, NARROW)) -> None:
    """Fails listing every WCAG 2.2 A/AA violation on the page, at each width (no reload)."""
    found = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        header_settled(page)
        found += [f"[{width}px] {line}" for line in axe_violations(page)]
    page.set_viewport_size({"width": WIDE, "height": 800})
    assert not found, f"axe found on {page.url}:\n" + "\n".join(found)


def header_settled(page) -> None:
    """The header folds its menu under "More" once a resize settles (NHS.UK frontend debounces
    it): wait, up to a second, until which of its links show stops changing, so axe sees the
    header as a person would and not a link caught mid-fold over the menu's grey."""
    shown = (
        "() => [...document.querySelectorAll("
        "'.nhsuk-header__navigation-item, .nhsuk-header__menu')]"
        ".map(e => e.hidden || e.offsetParent === null ? 0 : 1).join('')"
    )
    last = page.evaluate(shown)
    for _ in range(10):
        page.wait_for_timeout(100)
        now = page.evaluate(shown)
        if now == last:
            return
        last = now


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits). Waits up to a
    second after a resize: the header folds its menu under "More" when the resize settles."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    for _ in range(10):
        if overflow <= 0:
            break
        page.wait_for_timeout(100)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return overflow


def elements_past_the_right_edge(page) -> list[str]:
    """The innermost elements reaching past the window's right edge, to say what overflows."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                          && ![...e.children].some(c => c.getBoundingClientRect().right
                                                        > window.innerWidth + 1))
             .slice(0, 5)
             .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: `
                       + e.textContent.trim().slice(0, 60))"""
    )


def dates_without_legend(page) -> list[str]:
    """Day/month/year inputs not grouped in a fieldset whose legend says what the date is."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.nhsuk-date-input')]
             .filter(group => {
               const fieldset = group.closest('fieldset');
               const legend = fieldset && fieldset.querySelector(':scope > legend');
               return !legend || !legend.textContent.trim();
             })
             .map(group => group.id || group.outerHTML.slice(0, 80))"""
    )


def bare_error_messages(page) -> list[str]:
    """Error summary items that do not say which field they are about."""
    bare = {"This field is required.", "Enter a valid date.", "Enter a valid value."}
    items = page.locator(".nhsuk-error-summary__list li").all_inner_texts()
    return [item for item in items if item.strip() in bare]
