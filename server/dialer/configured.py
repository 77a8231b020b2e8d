"""The dialler [dialer] kind names, and the node's callback loop built on it."""

from __future__ import annotations

from sqlalchemy import Engine

from server.config import ConfigError, Settings
from server.dialer.base import Dialer
from server.dialer.scheduler import CallbackScheduler, DialingRules
from server.dialer.softphone import RegisteredPhones, SoftphoneDialer
from server.dialer.twilio_rest import TwilioDialer
from server.workflow.callbacks import CallbackRules

KINDS = ("softphone", "twilio", "none")
# What the "twilio" dialler needs: (section, key), each also HOTLINE_<SECTION>_<KEY>.
TWILIO_SETTINGS = (
    ("dialer", "twilio_account_sid"),
    ("gateway", "twilio_auth_token"),
    ("dialer", "twilio_from_number"),
    ("dialer", "twilio_status_url"),
)


def _setting(settings: Settings, section: str, key: str) -> str:
    return str(settings.raw.get(section, {}).get(key) or "").strip()


def check_dialer(settings: Settings) -> None:
    """A clear error at start-up for a [dialer] that cannot work."""
    kind = DialingRules.from_settings(settings).kind
    if kind not in KINDS:
        raise ConfigError(f"[dialer] kind = {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "twilio":
        missing = [f"[{section}] {key} (HOTLINE_{section.upper()}_{key.upper()})"
                   for section, key in TWILIO_SETTINGS if not _setting(settings, section, key)]
        if missing:
            raise ConfigError(f"[dialer] kind = 'twilio' needs {', '.join(missing)}")


def build_dialer(settings: Settings, phones: RegisteredPhones) -> Dialer | None:
    """None for "none": the node answers calls and surveys but dials nobody."""
    check_dialer(settings)
    dialing = DialingRules.from_settings(settings)
    if dialing.kind == "none":
        return None
    if dialing.kind == "softphone":
        return SoftphoneDialer(phones, dialing.ring_seconds)
    return TwilioDialer(
        account_sid=_setting(settings, "dialer", "twilio_account_sid"),
        auth_token=_setting(settings, "gateway", "twilio_auth_token"),
        from_number=_setting(settings, "dialer", "twilio_from_number"),
        api_base=_setting(settings, "dialer", "twilio_api_base") or "https://api.twilio.com",
        status_url=_setting(settings, "dialer", "twilio_status_url"),
        ring_seconds=dialing.ring_seconds,
    )


def build_scheduler(
    settings: Settings, engine: Engine, phones: RegisteredPhones, rules: CallbackRules
) -> CallbackScheduler | None:
    dialer = build_dialer(settings, phones)
    if dialer is None:
        return None
    return CallbackScheduler(engine, dialer, rules, DialingRules.from_settings(settings))
