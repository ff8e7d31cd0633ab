"""localstripe (the Stripe fake) served by the tests themselves, on 127.0.0.1 only.

localstripe's own `start()` listens on every interface and pickles its store to /tmp on
each write; here its aiohttp application is built as its `server.py` builds it — same
middlewares (but the pickling one), same routes — and run with aiohttp's AppRunner and
TCPSite on 127.0.0.1, on a free port, in a background thread.

localstripe has no Checkout Sessions: `POST /v1/checkout/sessions` answers the body Stripe
documents for a `checkout.session` (for a customer that must exist in localstripe) and
keeps the form it was sent, so that tests can check what the gateway asked for; with
`checkout_refusal` set, it answers that Stripe error instead (as Stripe refuses a payment
method the account has not activated). `GET /v1/checkout/sessions/{id}` answers a session
it opened, as kept in `sessions` (tests set its `status`: `complete` once paid,
`expired`), or Stripe's 404.

localstripe ignores `Idempotency-Key`: here a POST answered 2xx is kept under its key and
a repeat of the key answered the same, as Stripe does (for 24 hours there).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from typing import Any


class LocalStripe:
    def __init__(self) -> None:
        self.checkout_requests: list[dict[str, str]] = []
        #: the Checkout Sessions opened, by id (their bodies, as Stripe answers them)
        self.sessions: dict[str, dict[str, Any]] = {}
        #: webhooks localstripe delivered to `sink_url` (body, headers), as Stripe would
        self.delivered: list[tuple[bytes, dict[str, str]]] = []
        #: (HTTP status, Stripe error body) the next Checkout Sessions are refused with
        self.checkout_refusal: tuple[int, dict[str, Any]] | None = None
        #: Idempotency-Key -> (status, body) of the first answer
        self.idempotent: dict[str, tuple[int, bytes]] = {}
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner = None
        self._thread: threading.Thread | None = None

    # --- the application ----------------------------------------------------------------
    def _build_app(self):
        from aiohttp import web
        from localstripe import server

        app = web.Application(
            middlewares=[self._idempotency(), server.error_middleware, server.auth_middleware]
        )
        app.on_response_prepare.append(server.add_cors_headers)
        app.router.add_post("/v1/checkout/sessions", self._checkout_session_create)
        app.router.add_get("/v1/checkout/sessions/{id}", self._checkout_session_retrieve)
        # under /_config/, which localstripe's auth middleware lets through (no API key)
        app.router.add_post("/_config/test-webhook-sink", self._webhook_sink)
        for method, url, func in server.extra_apis:
            app.router.add_route(method, url, server.api_extra(func, url))
        for cls in (
            server.BalanceTransaction,
            server.Charge,
            server.Coupon,
            server.Customer,
            server.Event,
            server.Invoice,
            server.InvoiceItem,
            server.PaymentIntent,
            server.PaymentMethod,
            server.Payout,
            server.Plan,
            server.Product,
            server.Refund,
            server.SetupIntent,
            server.Source,
            server.Subscription,
            server.SubscriptionItem,
            server.TaxRate,
            server.Token,
        ):
            for method, url, func in (
                ("POST", "/v1/" + cls.object + "s", server.api_create),
                ("GET", "/v1/" + cls.object + "s/{id}", server.api_retrieve),
                ("POST", "/v1/" + cls.object + "s/{id}", server.api_update),
                ("DELETE", "/v1/" + cls.object + "s/{id}", server.api_delete),
                ("GET", "/v1/" + cls.object + "s", server.api_list_all),
            ):
                app.router.add_route(method, url, func(cls, url))
        app.router.add_post("/_config/webhooks/{id}", server.config_webhook)
        app.router.add_delete("/_config/data", server.flush_store)
        return app

    def _idempotency(self):
        from aiohttp import web

        @web.middleware
        async def replay(request, handler):
            key = request.headers.get("Idempotency-Key")
            if request.method != "POST" or not key:
                return await handler(request)
            if key in self.idempotent:
                status, body = self.idempotent[key]
                return web.Response(status=status, body=body, content_type="application/json")
            response = await handler(request)
            if 200 <= response.status < 300:
                self.idempotent[key] = (response.status, response.body)
            return response

        return replay

    async def _checkout_session_create(self, request):
        from localstripe import server

        form = {key: value for key, value in (await request.post()).items()}
        self.checkout_requests.append(form)
        if self.checkout_refusal is not None:
            status, error = self.checkout_refusal
            return server.json_response({"error": error}, status=status)
        customer = form.get("customer")
        if customer:
            server.Customer._api_retrieve(customer)  # 404 "No such customer", as Stripe
        session_id = "cs_test_" + secrets.token_hex(24)
        now = int(time.time())
        amount = int(form["line_items[0][price_data][unit_amount]"]) * int(
            form.get("line_items[0][quantity]", "1")
        )
        body: dict[str, Any] = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": now,
            "currency": form["line_items[0][price_data][currency]"],
            "customer": customer,
            "expires_at": now + 24 * 3600,
            "livemode": False,
            "metadata": {
                key[len("metadata[") : -1]: value
                for key, value in form.items()
                if key.startswith("metadata[")
            },
            "mode": form["mode"],
            "payment_intent": None,
            "payment_method_types": [
                value for key, value in form.items() if key.startswith("payment_method_types[")
            ],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form.get("success_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        self.sessions[session_id] = body
        return server.json_response(body)

    async def _checkout_session_retrieve(self, request):
        from localstripe import server

        session = self.sessions.get(request.match_info["id"])
        if session is None:
            error = {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such checkout.session: '{request.match_info['id']}'",
            }
            return server.json_response({"error": error}, status=404)
        return server.json_response(session)

    async def _webhook_sink(self, request):
        from aiohttp import web

        self.delivered.append((await request.read(), dict(request.headers)))
        return web.Response(text="ok")

    @property
    def sink_url(self) -> str:
        return self.url + "/_config/test-webhook-sink"

    # --- running it -----------------------------------------------------------------------
    def start(self, timeout: float = 10) -> LocalStripe:
        from aiohttp import web

        app = self._build_app()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._runner = web.AppRunner(app, access_log=None)
                loop.run_until_complete(self._runner.setup())
                site = web.TCPSite(self._runner, "127.0.0.1", 0)
                loop.run_until_complete(site.start())
                host, port = self._runner.addresses[0][:2]
                self.url = f"http://{host}:{port}"
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            pending = asyncio.all_tasks(loop)  # webhooks localstripe has not sent yet
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="localstripe", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("localstripe did not start in time")
        if failure:
            raise RuntimeError(f"localstripe did not start: {failure[0]!r}") from failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
