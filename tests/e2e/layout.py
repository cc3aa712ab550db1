"""Checks on how a page is laid out in the browser."""

# Every element the browser draws, against the viewport: its right edge (a skip link parked off
# the left edge until focused is no overflow), and whether the page scrolls sideways. Content of
# a closed <details> is laid out but not drawn (checkVisibility is false), so it does not count;
# nor does an element inside a horizontal scroller that itself fits (a wide table scrolls in its
# box, nothing is cut off).
WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (["auto", "scroll"].includes(style.overflowX)) return up.getBoundingClientRect().right <= width + 1;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 && !inScroller(el)) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")}`
        + ` (${Math.round(box.left)}–${Math.round(box.right)} of ${width})`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


def assert_nothing_wider_than_the_viewport(page, where=""):
    """No element drawn past the viewport's right edge and no sideways scrolling of the page."""
    found = page.evaluate(WIDER_THAN_VIEWPORT)
    assert found["wide"] == [], f"{where}: elements wider than the viewport: {found['wide'][:10]}"
    assert found["scrollWidth"] <= found["width"], f"{where}: the page scrolls sideways ({found})"
