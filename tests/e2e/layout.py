"""The browser tests' shared pieces: the viewports a page is checked at, logging in, and the
check that nothing is drawn wider than the viewport."""

# The floor tablet upright and on its side (the desk browser is the landscape size too).
PORTRAIT = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}

# Every test user's password (tests.factories.UserFactory).
PASSWORD = "pass-word-123"


def log_in(page, username, password=PASSWORD):
    """Log in through the login form and wait for the page it leads to."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


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
