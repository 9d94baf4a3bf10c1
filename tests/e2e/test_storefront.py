"""The shop in a browser: headless Chromium (Debian's, driven through Debian's chromedriver, so
Selenium never downloads one) against `bazaar up` and its KakaoPay sandbox, at a phone-sized and
a desktop-sized window. Every page is checked with axe-core (no serious or critical violation),
walked with the Tab key (every control reachable), and photographed into `screenshots/`."""

import http.client
import json
import subprocess
import sys
import time
import urllib.request

import jwt
import pytest

from conftest import BIN, BUSINESS_NUMBERS, PASSWORD, ROOT, SECRET, chromium
from http_client import Runner

sys.path.insert(0, str(ROOT / "Benchmarks"))
from storefront import page_weights  # noqa: E402  (the page-weight benchmark's own measure)

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
SCREENSHOTS = ROOT / "screenshots"
ADDRESS = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 152"}

selenium = pytest.importorskip("selenium")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from axe_selenium_python import Axe  # noqa: E402


class Browser:
    """One headless Chromium window of one size, with the checks every page gets."""

    def __init__(self, base, size):
        self.base, self.size = base, size
        options = Options()
        width, height = SIZES[size]
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                         "--lang=en-US"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = chromium(options)
        self.driver.set_script_timeout(30)
        # Headless Chromium keeps windows at least 500 px wide: emulate the phone's viewport exactly.
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"})
        self.console = []

    def quit(self):
        self.driver.quit()

    def go(self, path):
        self.driver.get(self.base + path)

    def wait(self, condition, timeout=20, message=""):
        # Pages re-render (the order page refreshes itself): an element may go stale under a check.
        return WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda _: condition(), message)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def present(self, css, timeout=20):
        return self.wait(lambda: self.all(css), timeout, f"{css} never appeared on {self.driver.current_url}")[0]

    def heading(self, text, timeout=20):
        self.wait(lambda: any(text in h.text for h in self.all("h1")), timeout,
                  f"no heading with {text!r} on {self.driver.current_url}")

    def fill(self, css, text):
        element = self.present(css)
        element.clear()
        element.send_keys(text)

    def click(self, css):
        self.present(css).click()

    def status(self, css="#order-status"):
        return self.present(css).get_attribute("data-status")

    def notice(self):
        return self.find("#notice").text

    def check_page(self, name):
        """axe-core finds nothing serious or critical; Tab reaches every control; a screenshot is kept."""
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name} ({self.size}): " + axe.report(bad)
        SCREENSHOTS.mkdir(exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}-{self.size}.png"))
        self.assert_keyboard_reaches_every_control(name)
        self.collect_console()

    def assert_keyboard_reaches_every_control(self, name):
        controls = self.driver.execute_script("""
            const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
            const all = [...document.querySelectorAll('a[href], button, input, select, textarea')]
              .filter((e) => visible(e) && !e.disabled);
            all.forEach((e, i) => e.setAttribute('data-kb', String(i)));
            document.activeElement && document.activeElement.blur();
            window.scrollTo(0, 0);
            return all.length;""")
        reached = set()
        keyboard = ActionChains(self.driver)
        for _ in range(controls * 2 + 5):
            keyboard.send_keys(Keys.TAB).perform()
            index = self.driver.execute_script("return document.activeElement.getAttribute('data-kb')")
            if index is not None:
                reached.add(int(index))
            if len(reached) == controls:
                break
        missing = self.driver.execute_script(
            "return [...document.querySelectorAll('[data-kb]')].filter(e => !arguments[0].includes(+e.dataset.kb))"
            ".map(e => e.outerHTML.slice(0, 120))", sorted(reached))
        assert not missing, f"{name} ({self.size}): Tab never reaches {missing}"

    def collect_console(self):
        self.console += self.driver.get_log("browser")

    def assert_no_script_errors(self):
        self.collect_console()
        errors = [entry["message"] for entry in self.console if entry["level"] == "SEVERE"
                  and "/favicon.ico" not in entry["message"] and "Failed to load resource" not in entry["message"]]
        assert not errors, errors


class Shop:
    """`bazaar up` (HTTP runner, scheduler, sandbox) on a fresh home, and the API to seed it."""

    def __init__(self, home):
        self.home = home
        self.runner = Runner(home, command="up")
        self.base = f"http://127.0.0.1:{self.runner.port}"
        self.http = self.runner.http
        self.sellers = 0

    def stop(self):
        assert self.runner.stop() == 0

    def seller(self, name, fulfillment="auto"):
        email = f"seller{self.sellers}@example.com"
        number = BUSINESS_NUMBERS[self.sellers]
        self.sellers += 1
        status, _, _ = self.http("POST", "/sellers", {"email": email, "password": PASSWORD, "businessName": name,
                                                      "businessNumber": number})
        assert status == 201
        status, _, auth = self.http("POST", "/sellers/auth", {"email": email, "password": PASSWORD})
        if fulfillment != "auto":
            status, _, _ = self.http("PATCH", "/sellers/me", {"fulfillment": fulfillment}, token=auth["token"])
            assert status == 200
        return {"email": email, "token": auth["token"], "id": auth["seller"]["id"]}

    def product(self, seller, name, price, stock):
        status, _, product = self.http("POST", "/products", {"name": name, "description": f"{name}, fresh.",
                                                             "price": price, "stock": stock}, token=seller["token"])
        assert status == 201, product
        return product

    def buyer(self, email):
        status, _, _ = self.http("POST", "/users", {"email": email, "password": PASSWORD, "name": "Kim Minji"})
        assert status == 201
        status, _, auth = self.http("POST", "/users/auth", {"email": email, "password": PASSWORD})
        return auth

    def order(self, order_id, token):
        return self.http("GET", f"/orders/{order_id}", token=token)[2]


@pytest.fixture
def shop(tmp_path):
    shop = Shop(tmp_path)
    yield shop
    shop.stop()


@pytest.fixture(params=list(SIZES))
def browser(request, shop):
    browser = Browser(shop.base, request.param)
    yield browser
    browser.quit()


def log_in(browser, email):
    browser.go("/#/login")
    browser.heading("Log in")
    browser.fill("#in-email", email)
    browser.fill("#in-password", PASSWORD)
    browser.click("#login")


def seller_log_in(browser, email):
    browser.go("/seller#/login")
    browser.fill("#in-email", email)
    browser.fill("#in-password", PASSWORD)
    browser.click("#login")
    browser.heading("Your products")


def add_to_cart(browser, name, quantity=1):
    """From the product list on screen: open `name`, add `quantity`, come back."""
    browser.wait(lambda: [a for a in browser.all("#products a.product-name") if a.text == name],
                 message=f"{name} is not listed")
    [link] = [a for a in browser.all("#products a.product-name") if a.text == name]
    link.click()
    browser.heading(name)
    browser.fill("#in-quantity", str(quantity))
    browser.click("#add-to-cart")
    browser.wait(lambda: "Added" in browser.notice())


def checkout_to_kakaopay(browser, address=None):
    """Cart → checkout (the address typed in unless the profile has one) → the sandbox's checkout page."""
    browser.go("/#/cart")
    browser.click("#checkout")
    browser.heading("Checkout")
    if address:
        for name, value in address.items():
            browser.fill(f"#in-{name}", value)
    browser.click("#place-order")
    browser.present("#approve")
    return browser.driver.current_url


def order_id_on_screen(browser):
    browser.wait(lambda: "#/orders/ord_" in browser.driver.current_url)
    return browser.driver.current_url.split("#/orders/")[1]


def test_a_buyer_searches_pays_through_kakaopay_and_follows_the_order_to_delivery(shop, browser):
    orchard = shop.seller("Cheongsong Orchard")
    juicery = shop.seller("Jeju Juicery")
    apples = shop.product(orchard, "청송 사과 5kg", 32000, 10)
    juice = shop.product(juicery, "사과즙 30팩", 18000, 5)
    shop.product(orchard, "Cotton towel", 9000, 3)

    browser.go("/#/signup")
    browser.heading("Create an account")
    browser.check_page("signup")
    browser.fill("#in-email", "buyer@example.com")
    browser.fill("#in-password", PASSWORD)
    browser.fill("#in-name", "Kim Minji")
    browser.click("#signup")
    browser.heading("Products")
    browser.wait(lambda: len(browser.all("#products a.product-name")) == 3)
    browser.check_page("products")

    browser.fill("#in-q", "사과")
    browser.click("#search")
    browser.heading("사과")
    browser.wait(lambda: sorted(a.text for a in browser.all("#products a.product-name")) == ["사과즙 30팩", "청송 사과 5kg"])
    browser.check_page("search")
    add_to_cart(browser, "청송 사과 5kg")
    browser.present("#availability")
    assert browser.find("#availability").text == "10 available"
    browser.check_page("product")
    browser.driver.back()
    add_to_cart(browser, "사과즙 30팩", 2)
    browser.go("/#/cart")
    browser.heading("Cart")
    assert browser.find("#cart-total").text == "₩68,000" and browser.find("#cart-count").text == "3"
    browser.check_page("cart")

    browser.click("#checkout")
    browser.heading("Checkout")
    browser.check_page("checkout")
    for name, value in ADDRESS.items():
        browser.fill(f"#in-{name}", value)
    browser.click("#place-order")
    browser.present("#approve")
    assert "/sandbox/kakaopay/" in browser.driver.current_url
    assert browser.find("#amount").text == "68000"
    browser.check_page("kakaopay-checkout")
    browser.click("#approve")

    order_id = order_id_on_screen(browser)
    browser.wait(lambda: browser.status() in ("paid", "shipped"))
    assert "Payment completed" in browser.notice()
    assert browser.find("#order-total").text == "₩68,000"
    assert browser.status("#payment-status") == "completed"
    browser.check_page("order")
    # Auto fulfilment: the scheduler ships both sellers' parts; the page refreshes itself.
    browser.wait(lambda: browser.status() == "shipped" and len(browser.all("#shipments .tracking")) == 2, 30)
    tracking = sorted(t.text for t in browser.all("#shipments .tracking"))
    order = shop.order(order_id, shop.http("POST", "/users/auth", {"email": "buyer@example.com",
                                                                   "password": PASSWORD})[2]["token"])
    assert tracking == sorted(s["trackingNumber"] for s in order["shipments"]) and all(tracking)
    assert {item["productId"] for item in order["items"]} == {apples["id"], juice["id"]}

    # The orchard marks its part delivered in the console; the juicery through the API.
    browser.go("/seller#/login")
    browser.heading("Seller sign in")
    browser.fill("#in-email", orchard["email"])
    browser.fill("#in-password", PASSWORD)
    browser.click("#login")
    browser.heading("Your products")
    browser.go("/seller#/shipments")
    browser.heading("Shipments")
    browser.click("[data-deliver]")
    browser.wait(lambda: "Marked delivered" in browser.notice())
    [juice_shipment] = [s for s in order["shipments"] if s["sellerId"] == juicery["id"]]
    assert shop.http("POST", f"/shipments/{juice_shipment['id']}/deliver", token=juicery["token"])[0] == 200

    browser.go(f"/#/orders/{order_id}")
    browser.wait(lambda: browser.status() == "delivered", 30)
    browser.go("/#/orders")
    browser.heading("Your orders")
    browser.present("#orders .badge-delivered")
    assert sorted(t.text for t in browser.all("#orders .tracking")) == tracking
    browser.check_page("orders")
    browser.assert_no_script_errors()


def test_a_buyer_cancels_an_unpaid_and_a_paid_order_and_sees_the_stock_return(shop, browser):
    # Manual fulfilment: nothing ships the paid order before the buyer cancels it.
    farm = shop.seller("Yesan Farm", fulfillment="manual")
    apples = shop.product(farm, "예산 사과 3kg", 21000, 5)
    shop.buyer("cancel@example.com")
    log_in(browser, "cancel@example.com")
    browser.heading("Products")

    # Unpaid: order 2, leave the KakaoPay page, cancel from the order page.
    browser.go(f"/#/products/{apples['id']}")
    browser.heading("예산 사과 3kg")
    browser.fill("#in-quantity", "2")
    browser.click("#add-to-cart")
    checkout_to_kakaopay(browser, ADDRESS)
    browser.go("/#/orders")
    browser.heading("Your orders")
    browser.click("#orders a")
    browser.wait(lambda: browser.status() == "pending_payment")
    browser.go(f"/#/products/{apples['id']}")
    browser.wait(lambda: browser.find("#availability").text == "3 available")
    browser.driver.back()
    browser.wait(lambda: browser.status() == "pending_payment")
    browser.click("#cancel-order")
    browser.wait(lambda: browser.status() == "canceled")
    browser.go(f"/#/products/{apples['id']}")
    browser.wait(lambda: browser.find("#availability").text == "5 available")

    # Paid: order 3, approve, then cancel: the payment is refunded and the stock returns.
    browser.fill("#in-quantity", "3")
    browser.click("#add-to-cart")
    checkout_to_kakaopay(browser, ADDRESS)
    browser.click("#approve")
    order_id = order_id_on_screen(browser)
    browser.wait(lambda: browser.status() == "paid")
    browser.go(f"/#/products/{apples['id']}")
    browser.wait(lambda: browser.find("#availability").text == "2 available")
    browser.go(f"/#/orders/{order_id}")
    browser.wait(lambda: browser.status() == "paid")
    browser.click("#cancel-order")
    browser.wait(lambda: browser.status() == "canceled")
    assert browser.status("#payment-status") == "canceled"
    browser.go(f"/#/products/{apples['id']}")
    browser.wait(lambda: browser.find("#availability").text == "5 available")
    browser.assert_no_script_errors()


def test_a_manual_seller_enters_a_tracking_number_the_buyer_then_sees(shop, browser):
    workshop = shop.seller("Hanji Workshop", fulfillment="manual")
    lamp = shop.product(workshop, "한지 조명", 45000, 4)
    buyer = shop.buyer("lamp@example.com")
    assert shop.http("PATCH", "/users/me", {"phone": ADDRESS["phone"], "shippingAddress": {
        "recipient": "Kim Minji", "postalCode": "06236", "line1": "Teheran-ro 152", "line2": "5F"}},
        token=buyer["token"])[0] == 200
    log_in(browser, "lamp@example.com")
    browser.heading("Products")
    browser.go("/#/account")
    browser.heading("Your account")
    assert browser.find("#in-line2").get_attribute("value") == "5F"
    browser.check_page("account")
    browser.go(f"/#/products/{lamp['id']}")
    browser.heading("한지 조명")
    browser.click("#add-to-cart")
    browser.go("/#/cart")
    browser.click("#checkout")
    browser.heading("Checkout")
    assert browser.find("#in-line1").get_attribute("value") == "Teheran-ro 152"  # the profile's address
    browser.click("#place-order")
    browser.click("#approve")
    order_id = order_id_on_screen(browser)
    browser.wait(lambda: browser.status() == "paid")

    seller_log_in(browser, workshop["email"])
    browser.check_page("seller-products")
    browser.go("/seller#/orders")
    browser.heading("Orders")
    row = browser.present(f'[data-order="{order_id}"]')
    assert "Teheran-ro 152" in row.text and "한지 조명 × 1" in row.text
    browser.check_page("seller-orders")
    browser.go("/seller#/shipments")
    browser.heading("Shipments")
    browser.check_page("seller-shipments")
    form = browser.present("form.ship")
    form.find_element(By.CSS_SELECTOR, ".tracking-input").send_keys("6894-1234-5678")
    form.find_element(By.CSS_SELECTOR, "button").click()
    browser.wait(lambda: "tracking number" in browser.notice())
    browser.go("/seller#/settings")
    browser.heading("Hanji Workshop")
    assert browser.find("#fulfillment").get_attribute("value") == "manual"
    browser.check_page("seller-settings")

    browser.go(f"/#/orders/{order_id}")
    browser.wait(lambda: browser.status() == "shipped")
    assert browser.find("#shipments .tracking").text == "6894-1234-5678"
    assert "CJ대한통운" in browser.find("#shipments").text
    browser.assert_no_script_errors()


def test_a_buyer_picks_an_option_sees_its_price_and_orders_that_variant(shop, browser):
    farm = shop.seller("Cheongsong Orchard")
    status, _, apples = shop.http("POST", "/products", {
        "name": "청송 사과", "description": "Crisp.", "options": [{"name": "무게", "values": ["3kg", "5kg", "10kg"]}],
        "variants": [{"optionValues": {"무게": "3kg"}, "price": 21000, "stock": 0},
                     {"optionValues": {"무게": "5kg"}, "price": 32000, "stock": 4},
                     {"optionValues": {"무게": "10kg"}, "price": 55000, "stock": 2}]}, token=farm["token"])
    assert status == 201, apples
    buyer = shop.buyer("kim@example.com")
    status, _, _ = shop.http("PATCH", "/users/me", {"phone": ADDRESS["phone"], "shippingAddress": {
        k: v for k, v in ADDRESS.items() if k != "phone"}}, token=buyer["token"])
    assert status == 200
    log_in(browser, "kim@example.com")
    browser.wait(lambda: "#/login" not in browser.driver.current_url)
    browser.go("/#/")
    card = browser.present("#products li.card.product")
    browser.wait(lambda: "₩21,000 – ₩55,000" in card.text, message=card.text)
    browser.go(f"/#/products/{apples['id']}")
    browser.heading("청송 사과")
    picker = Select(browser.present("#option-0"))
    # The sold-out 3 kg box shows its price and cannot be chosen; 5 kg, the first in stock, is.
    labels = {o.get_attribute("value"): (o.text, o.get_attribute("disabled")) for o in picker.options}
    assert labels["3kg"][0] == "3kg (₩21,000, sold out)" and labels["3kg"][1] == "true"
    assert labels["10kg"] == ("10kg (₩55,000)", None)
    assert picker.first_selected_option.get_attribute("value") == "5kg"
    assert browser.find("#price").text == "₩32,000" and browser.find("#availability").text == "4 available"
    browser.check_page("product-options")
    picker.select_by_value("10kg")
    browser.wait(lambda: browser.find("#price").text == "₩55,000")
    assert browser.find("#availability").text == "2 available"
    browser.fill("#in-quantity", "2")
    browser.click("#add-to-cart")
    browser.wait(lambda: "Added 2 × 청송 사과 (무게 10kg)" in browser.notice())
    browser.go("/#/cart")
    browser.wait(lambda: "무게 10kg" in browser.find("#cart-lines").text)
    assert browser.find("#cart-total").text == "₩110,000"
    checkout_to_kakaopay(browser)
    browser.click("#approve")
    order = order_id_on_screen(browser)
    placed = shop.order(order, buyer["token"])
    assert [(i["variantId"], i["quantity"], i["unitPrice"]) for i in placed["items"]] == [
        (apples["variants"][2]["id"], 2, 55000)]
    browser.wait(lambda: "청송 사과 (무게 10kg)" in browser.find(".lines").text)
    browser.assert_no_script_errors()


def test_the_product_list_filters_by_price_sorts_and_pages_with_more(shop, browser):
    seller = shop.seller("Many Things")
    for index in range(15):
        shop.product(seller, f"Towel {index:02d}", 1000 * (index + 1), 1)
    browser.go("/#/")
    browser.wait(lambda: len(browser.all("#products a.product-name")) == 12)
    browser.click("#more")
    browser.wait(lambda: len(browser.all("#products a.product-name")) == 15)
    assert not browser.find("#more").is_displayed()
    browser.fill("#in-minPrice", "5000")
    browser.fill("#in-maxPrice", "8000")
    Select(browser.find("#sort")).select_by_value("price_desc")
    browser.click("#search")
    browser.wait(lambda: [a.text for a in browser.all("#products a.product-name")] ==
                 ["Towel 07", "Towel 06", "Towel 05", "Towel 04"])
    assert "minPrice=5000" in browser.driver.current_url and not browser.find("#more").is_displayed()
    browser.assert_no_script_errors()


def test_a_seller_registers_and_manages_products_and_settings_in_the_console(shop, browser):
    browser.go("/seller#/register")
    browser.heading("Register as a seller")
    browser.check_page("seller-register")
    browser.fill("#in-email", "potter@example.com")
    browser.fill("#in-password", PASSWORD)
    browser.fill("#in-businessName", "Icheon Pottery")
    browser.fill("#in-businessNumber", "123-45-67890")  # a wrong check digit: the shop says so in words
    browser.click("#register")
    browser.wait(lambda: "check digit does not match" in browser.find("main .error").text)
    browser.fill("#in-businessNumber", BUSINESS_NUMBERS[0])
    browser.click("#register")
    browser.heading("Your products")

    browser.click("#new-product")
    browser.heading("New product")
    browser.check_page("seller-product-form")
    browser.fill("#in-name", "이천 백자 찻잔")
    browser.fill("#in-description", "A white porcelain cup.")
    browser.fill("#in-price", "28000")
    browser.fill("#in-stock", "7")
    browser.fill("#in-imageUrl", "ftp://example.com/cup.jpg")  # a URL to the browser, not to the shop
    browser.click("#save-product")
    browser.wait(lambda: "imageUrl must be an absolute http(s) URL" in browser.find("main .error").text)
    browser.fill("#in-imageUrl", "")
    browser.click("#save-product")
    browser.heading("Your products")
    row = browser.present("[data-product]")
    product_id = row.get_attribute("data-product")
    assert "₩28,000" in row.text and "7 available" in row.text

    browser.click(f'[data-product="{product_id}"] a')
    browser.heading("Edit 이천 백자 찻잔")
    browser.fill("#in-price", "26000")
    browser.click("#save-product")
    browser.heading("Your products")
    browser.wait(lambda: "₩26,000" in browser.find(f'[data-product="{product_id}"]').text)
    browser.fill(f"#in-stock-{product_id}", "3")
    browser.find(f'[data-product="{product_id}"] form button').click()
    browser.wait(lambda: "is now 3" in browser.notice())
    product = shop.http("GET", f"/products/{product_id}")[2]
    assert (product["price"], product["stock"], product["name"]) == (26000, 3, "이천 백자 찻잔")

    browser.find(f'[data-product="{product_id}"] button.danger').click()
    browser.wait(lambda: "no longer for sale" in browser.notice())
    assert shop.http("GET", f"/products/{product_id}")[0] == 404

    browser.go("/seller#/settings")
    browser.heading("Icheon Pottery")
    Select(browser.find("#fulfillment")).select_by_value("manual")
    browser.click("#save-settings")
    browser.wait(lambda: "Saved" in browser.notice())
    token = shop.http("POST", "/sellers/auth", {"email": "potter@example.com", "password": PASSWORD})[2]["token"]
    assert shop.http("GET", "/sellers/me", token=token)[2]["fulfillment"] == "manual"
    browser.click("#logout")
    browser.heading("Seller sign in")
    browser.check_page("seller-sign-in")
    browser.fill("#in-email", "potter@example.com")
    browser.fill("#in-password", "wrong password")
    browser.click("#login")
    browser.wait(lambda: "email or password" in browser.find("main .error").text.lower())
    browser.assert_no_script_errors()


def test_a_seller_sells_a_product_in_options_and_edits_its_variants_in_the_console(shop, browser):
    seller = shop.seller("Cheongsong Orchard")
    seller_log_in(browser, seller["email"])
    browser.click("#new-product")
    browser.heading("New product")
    browser.fill("#in-name", "청송 사과")
    browser.fill("#in-price", "32000")
    browser.fill("#in-option-name-0", "무게")
    browser.fill("#in-option-values-0", "5kg, 10kg")
    browser.fill("#in-option-name-1", "등급")
    browser.fill("#in-option-values-1", "특, 상")
    browser.click("#make-variants")
    browser.wait(lambda: len(browser.all("#combinations [data-combination]")) == 4)
    browser.check_page("seller-product-options")
    browser.fill("#in-price-new-1", "29000")
    browser.fill("#in-stock-new-0", "5")
    browser.fill("#in-sku-new-0", "APL-5-S")
    browser.find("#in-price-new-3").clear()  # 10kg / 상 is not sold
    browser.click("#save-product")
    browser.heading("Your products")
    row = browser.present("[data-product]")
    product_id = row.get_attribute("data-product")
    assert "₩29,000 – ₩32,000" in row.text and "3 variants" in row.text and "5 available" in row.text
    product = shop.http("GET", f"/products/{product_id}")[2]
    assert [(v["optionValues"], v["price"], v["stock"], v["sku"]) for v in product["variants"]] == [
        ({"무게": "5kg", "등급": "특"}, 32000, 5, "APL-5-S"), ({"무게": "5kg", "등급": "상"}, 29000, 0, None),
        ({"무게": "10kg", "등급": "특"}, 32000, 0, None)]

    browser.click(f'[data-product="{product_id}"] a')
    browser.heading("Edit 청송 사과")
    assert not browser.all("#in-price")
    browser.check_page("seller-variants")
    large = product["variants"][2]["id"]
    browser.fill(f"#in-price-{large}", "55000")
    browser.fill(f"#in-stock-{large}", "8")
    browser.find(f'[data-variant="{large}"] button[type="submit"]').click()
    browser.wait(lambda: "₩55,000, 8 in stock" in browser.notice())
    Select(browser.find("#new-option-0")).select_by_value("10kg")
    Select(browser.find("#new-option-1")).select_by_value("상")
    browser.fill("#in-price-added", "50000")
    browser.fill("#in-stock-added", "2")
    browser.click("#add-variant")
    browser.wait(lambda: "Added 10kg / 상" in browser.notice())
    browser.find(f'[data-variant="{product["variants"][1]["id"]}"] button.danger').click()
    browser.wait(lambda: "no longer sold" in browser.notice())
    product = shop.http("GET", f"/products/{product_id}")[2]
    assert [(v["optionValues"]["무게"], v["optionValues"]["등급"], v["price"], v["stock"]) for v in product["variants"]] == [
        ("5kg", "특", 32000, 5), ("10kg", "특", 55000, 8), ("10kg", "상", 50000, 2)]
    browser.assert_no_script_errors()


def test_a_seller_uploads_orders_and_describes_photos_that_buyers_then_see(shop, browser, tmp_path):
    from PIL import Image
    seller = shop.seller("Cheongsong Orchard")
    lamp = shop.product(seller, "Paper lamp", 9000, 3)
    files = []
    for name, colour, size in [("warm", (230, 150, 40), (1600, 1200)), ("cool", (40, 120, 230), (900, 900))]:
        path = tmp_path / f"{name}.jpg"
        Image.new("RGB", size, colour).save(path, "JPEG")
        files.append(str(path))
    seller_log_in(browser, seller["email"])
    browser.go(f"/seller#/products/{lamp['id']}/edit")
    browser.heading("Edit Paper lamp")
    browser.present("#in-photo-file").send_keys("\n".join(files))  # the file picker, two files at once
    browser.wait(lambda: len(browser.all("#photos [data-image]")) == 2, message="the uploads never showed")
    browser.wait(lambda: "cool.jpg uploaded" in browser.notice())
    assert browser.find("#upload-progress").get_attribute("hidden") is not None
    warm, cool = [e.get_attribute("data-image") for e in browser.all("#photos [data-image]")]
    browser.check_page("seller-photos")
    browser.fill(f"#in-alt-{cool}", "A blue lamp, lit")
    browser.find(f'[data-image="{cool}"] button.secondary').click()
    browser.wait(lambda: "Alt text saved" in browser.notice())
    browser.find(f'[data-image="{cool}"] button[aria-label="Earlier photo 2"]').click()
    browser.wait(lambda: [e.get_attribute("data-image") for e in browser.all("#photos [data-image]")] == [cool, warm])
    product = shop.http("GET", f"/products/{lamp['id']}")[2]
    assert [(i["id"], i["alt"]) for i in product["images"]] == [(cool, "A blue lamp, lit"), (warm, "")]
    assert [r["width"] for r in product["images"][1]["renditions"]] == [320, 640, 1280, 1280]

    # The buyer's side: the card shows the first photo, the page all of them, the first at once.
    browser.go("/#/")
    card = browser.present(f'#products li.card.product img[srcset]')
    assert "320w" in card.get_attribute("srcset") and card.get_attribute("loading") == "lazy"
    browser.go(f"/#/products/{lamp['id']}")
    browser.heading("Paper lamp")
    browser.wait(lambda: len(browser.all("#gallery img")) == 2)
    first, second = browser.all("#gallery img")
    assert first.get_attribute("alt") == "A blue lamp, lit" and first.get_attribute("loading") == "eager"
    assert second.get_attribute("loading") == "lazy" and "1280w" in second.get_attribute("srcset")
    browser.wait(lambda: browser.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", first))
    browser.check_page("product-photos")
    browser.assert_no_script_errors()


def test_a_product_name_holding_markup_shows_as_text_and_runs_nothing(shop, browser):
    seller = shop.seller("Mallory")
    name = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    product = shop.product(seller, name, 1000, 1)
    browser.go("/#/?q=script")
    browser.wait(lambda: [a for a in browser.all("#products a.product-name") if a.text == name])
    browser.go(f"/#/products/{product['id']}")
    browser.wait(lambda: browser.find("#product-name").text == name)
    time.sleep(0.3)
    assert browser.driver.execute_script("return window.pwned === undefined")
    assert not browser.all("main script") and not browser.all("main img[src='x']")
    browser.assert_no_script_errors()


def test_an_expired_session_sends_the_buyer_to_log_in_and_back(shop, browser):
    buyer = shop.buyer("expired@example.com")
    user_id = buyer["user"]["id"]
    log_in(browser, "expired@example.com")
    browser.heading("Products")
    # The browser still believes in its session, but the shop refuses the token as expired.
    expired = jwt.encode({"sub": user_id, "role": "user", "jti": "expired-1", "iat": int(time.time()) - 7200,
                          "exp": int(time.time()) - 3600}, SECRET, algorithm="HS256")
    browser.driver.execute_script(
        "const s = JSON.parse(localStorage.getItem('bazaar.user')); s.token = arguments[0];"
        "localStorage.setItem('bazaar.user', JSON.stringify(s));", expired)
    browser.go("/#/orders")
    browser.heading("Log in")
    assert "session has ended" in browser.notice()
    browser.check_page("login")
    browser.fill("#in-email", "expired@example.com")
    browser.fill("#in-password", PASSWORD)
    browser.click("#login")
    browser.heading("Your orders")
    assert browser.driver.current_url.endswith("#/orders")
    # A session the browser itself knows to be over takes the same way back.
    browser.driver.execute_script(
        "const s = JSON.parse(localStorage.getItem('bazaar.user')); s.expiresAt = '2000-01-01T00:00:00Z';"
        "localStorage.setItem('bazaar.user', JSON.stringify(s));")
    browser.go("/#/account")
    browser.heading("Log in")
    log_in(browser, "expired@example.com")
    browser.heading("Products")
    # Logging out revokes the token on the shop, not only in this browser.
    token = browser.driver.execute_script("return JSON.parse(localStorage.getItem('bazaar.user')).token")
    browser.go("/#/account")
    browser.click("#logout")
    browser.wait(lambda: browser.find("#nav-account").text == "Log in")
    assert shop.http("GET", "/users/me", token=token)[2]["code"] == "token_revoked"
    browser.assert_no_script_errors()


def test_the_operator_page_opens_only_with_a_token_minted_in_the_shell(shop, browser):
    minted = subprocess.run([str(BIN), "operator", "token", "--ttl", "600"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "BAZAAR_HOME": str(shop.home), "BAZAAR_JWT_SECRET": SECRET},
                            timeout=30)
    assert minted.returncode == 0, minted.stderr
    token = json.loads(minted.stdout)["token"]
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["role"] == "operator"
    # Over HTTP: nothing without it, 403 with a buyer's, and the token opens no function.
    buyer = shop.buyer("nosy@example.com")
    assert shop.http("GET", "/operator/status")[0] == 401
    assert shop.http("GET", "/operator/status", token=buyer["token"])[2]["code"] == "forbidden_role"
    assert shop.http("GET", "/users/me", token=token)[2]["code"] == "forbidden_role"
    status, headers, report = shop.http("GET", "/operator/status", token=token)
    assert status == 200 and headers["cache-control"] == "no-store"
    assert {"queues", "outbox", "orders", "shipments", "payments", "scheduler", "deadLetters"} <= set(report)

    browser.go("/operator")
    browser.heading("Operator sign in")
    browser.check_page("operator-sign-in")
    browser.fill("#in-token", "not-a-token")
    browser.click("#open")
    browser.wait(lambda: "refused" in browser.find("main .error").text)
    browser.fill("#in-token", token)
    browser.click("#open")
    browser.heading("Shop status")
    assert "?" not in browser.driver.current_url and token not in browser.driver.current_url
    browser.present("#queues")
    browser.check_page("operator")
    first = browser.find("#refreshed").text
    browser.wait(lambda: browser.find("#refreshed").text != first, 15)
    browser.assert_no_script_errors()


def test_pages_carry_a_strict_policy_and_weigh_under_100_kb(tmp_path):
    """Served by `bazaar serve` too; every page's HTML + CSS + JS (its whole module graph) ≤ 100 KB;
    assets revalidate by ETag; `--no-storefront` serves the API alone."""
    runner = Runner(tmp_path)
    try:
        weights = page_weights(f"http://127.0.0.1:{runner.port}")
        for page, (size, files) in weights.items():
            assert size <= 100 * 1024, (page, size, files)
        assert set(weights) == {"/", "/seller", "/operator"}
        for page in weights:
            with urllib.request.urlopen(runner.http.base + page) as answer:
                policy = answer.headers["Content-Security-Policy"]
                assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
                assert answer.headers["Cache-Control"] == "no-store"
                assert answer.headers["X-Content-Type-Options"] == "nosniff"
        http = runner.http
        status, headers, _ = http("HEAD", "/assets/shop.js")
        assert status == 200 and headers["content-type"].startswith("text/javascript") and headers["etag"]
        assert fetch_status(runner.port, "/assets/shop.js", {"If-None-Match": headers["etag"]}) == 304
        assert fetch_status(runner.port, "/assets/shop.js", {"If-None-Match": '"0000000000000000"'}) == 200
        status, headers, problem = http("POST", "/seller", {})
        assert status == 405 and headers["allow"] == "GET, HEAD" and problem["code"] == "method_not_allowed"
        assert http("GET", "/assets/missing.js")[0] == 404
    finally:
        runner.stop()
    bare = Runner(tmp_path, args=("--no-storefront",))
    try:
        assert bare.http("GET", "/")[0] == 404 and bare.http("GET", "/operator/status")[0] == 404
        assert bare.http("GET", "/healthz")[0] == 200
    finally:
        bare.stop()


def fetch_status(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
