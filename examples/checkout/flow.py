"""A Playwright flow for ``kustomer-contract record --script``: sign in on the checkout page.

``flow(page)`` gets the loaded page (``playwright.sync_api.Page``). The button is enabled in
Kustomer.start's callback, and Playwright's click waits for that; the flow then waits until
describeCustomer has called back (the status shows ``data-state="done"`` or ``"error"``).
"""


def flow(page):
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#status[data-state=done], #status[data-state=error]")
