"""Shipping that fits Vietnam: routes, carriers' rate cards, quotes, shipments booked with
GHN, GHTK, Viettel Post or the cooperative itself, tracking webhooks and COD settlement."""
