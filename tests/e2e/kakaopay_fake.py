"""A KakaoPay written from KakaoPay's documentation alone (REFERENCES.md §5), independent of
Bazaar's sandbox, so the adapter and the sandbox cannot drift together. Each test scripts what
it answers: an amount other than the one readied, either error shape, a hang, a 500."""

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeKakaoPay:
    """`POST /online/v1/payment/{ready,approve,cancel,order}` on a free loopback port."""

    def __init__(self, key="DEVFAKEKEY0123"):
        self.key = key
        self.calls = []            # (endpoint, headers, body) in arrival order
        self.payments = {}         # tid -> dict
        self.script = {}           # endpoint -> callable(body) -> (status, answer) overriding the default
        self.hang = {}             # endpoint -> seconds to wait before answering
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                endpoint = self.path.rsplit("/", 1)[-1]
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake.lock:
                    fake.calls.append((endpoint, dict(self.headers), body))
                wait = fake.hang.get(endpoint, 0)
                if wait:
                    threading.Event().wait(wait)
                status, answer = fake.answer(endpoint, self.headers, body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.hang.clear()
        self.server.shutdown()
        self.server.server_close()

    def calls_to(self, endpoint):
        return [body for name, _, body in self.calls if name == endpoint]

    # The documented behaviour.

    def answer(self, endpoint, headers, body):
        if headers.get("Authorization") != f"SECRET_KEY {self.key}":
            return 401, {"error_code": -401, "error_message": "invalid secret key"}
        if headers.get("Content-Type", "").split(";")[0] != "application/json" or not isinstance(body, dict):
            return 400, {"code": -2, "msg": "bad parameter", "extras": {"method_result_code": "", "method_result_message": "JSON expected"}}
        if endpoint in self.script:
            return self.script[endpoint](body)
        return getattr(self, endpoint)(body)

    def ready(self, body):
        tid = "T" + secrets.token_hex(10)[:19]
        self.payments[tid] = {**body, "status": "READY"}
        page = f"{self.base}/pay/{tid}"
        return 200, {"tid": tid, "next_redirect_pc_url": page, "next_redirect_mobile_url": page + "/m",
                     "next_redirect_app_url": page + "/a", "android_app_scheme": "kakaotalk://", "ios_app_scheme": "kakaotalk://",
                     "created_at": "2026-11-27T21:00:00"}

    def approve(self, body):
        payment = self.payments.get(body.get("tid"))
        if payment is None:
            return 400, {"code": -721, "msg": "no such tid"}
        if payment["status"] == "SUCCESS_PAYMENT":
            return 400, {"code": -702, "msg": "already approved"}
        payment["status"] = "SUCCESS_PAYMENT"
        payment["aid"] = "A" + secrets.token_hex(9)
        return 200, {"aid": payment["aid"], "tid": body["tid"], "cid": body["cid"],
                     "partner_order_id": body["partner_order_id"], "partner_user_id": body["partner_user_id"],
                     "payment_method_type": "CARD", "item_name": payment["item_name"], "quantity": payment["quantity"],
                     "amount": {"total": payment["total_amount"], "tax_free": 0, "vat": 0, "point": 0, "discount": 0},
                     "created_at": "2026-11-27T21:00:00", "approved_at": "2026-11-27T21:00:05"}

    def cancel(self, body):
        payment = self.payments.get(body.get("tid"))
        if payment is None:
            return 400, {"code": -721, "msg": "no such tid"}
        payment["status"] = "CANCEL_PAYMENT"
        total = payment["total_amount"]
        return 200, {"tid": body["tid"], "status": "CANCEL_PAYMENT", "amount": {"total": total},
                     "approved_cancel_amount": {"total": body["cancel_amount"]}, "canceled_amount": {"total": total},
                     "cancel_available_amount": {"total": 0}}

    def order(self, body):
        payment = self.payments.get(body.get("tid"))
        if payment is None:
            return 400, {"error_code": -721, "error_message": "no such tid"}
        total = payment["total_amount"]
        details = [{"aid": payment["aid"], "payment_action_type": "PAYMENT", "amount": total}] if "aid" in payment else []
        return 200, {"tid": body["tid"], "status": payment["status"], "amount": {"total": total},
                     "canceled_amount": {"total": total if payment["status"] == "CANCEL_PAYMENT" else 0},
                     "payment_method_type": "CARD", "payment_action_details": details}
