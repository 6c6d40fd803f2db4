"""Complaint volume for the ops dashboard's "Complaints by channel" panel (§3's channels)."""

from prometheus_client import Counter

from .models import Channel

RECEIVED = Counter("complaints_received_total", "New complaints received, by the channel they came in on.", ["channel"])
# A series per channel from the start (0), so the panel has every channel before the first complaint.
_BY_CHANNEL = {channel: RECEIVED.labels(channel.value) for channel in Channel}


def complaint_received(channel: Channel, *, merged: bool) -> None:
    """Counts a new complaint; one merged into an earlier complaint about the same order is not new
    volume (a resend never reaches here). In memory only: intake's hot path does no extra I/O."""
    if not merged:
        _BY_CHANNEL[channel].inc()
