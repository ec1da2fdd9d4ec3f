"""A header timeout for slow clients: uvicorn's HTTP/1.1 protocol with one timer added.

uvicorn closes idle keep-alive connections, but a client that connects and then sends its
request line and headers a byte at a time holds the connection for ever. `timed_h11(seconds)`
is uvicorn's h11 protocol whose connection is closed (one info log line) when the headers of a
request are not complete `seconds` after the connection opens or the previous response ends.
The body has its own timeout in `inputs.read_body`.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("aacap.serve")


def timed_h11(header_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's `H11Protocol` closing connections whose request headers take longer than
    `header_timeout_s` seconds; pass it as `uvicorn.Config(app, http=...)`."""

    class TimedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _seen_cycle: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and self.cycle is not self._seen_cycle:  # headers done
                self._seen_cycle = self.cycle
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()  # the next request on this connection gets the same time

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout_s, self._expire)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _expire(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                client = "%s:%d" % self.client if self.client else "a client"
                log.info("closed the connection of %s: no complete request headers within %g s",
                         client, header_timeout_s)
                self.transport.close()

    return TimedH11Protocol
