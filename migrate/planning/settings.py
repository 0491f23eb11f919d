"""Plan settings: YAML, every key optional with a documented default, unknown keys an error.

```yaml
wave:                       # capacity of one wave
  max_servers: 40
  max_vcpu: 320
  max_replication_tb: 25.0  # default: derived from bandwidth_mbps × replication window
  max_tier0_cutovers: 1
bandwidth_mbps: 1000        # ExpressRoute/VPN bandwidth available to replication
replication_utilization: 0.5  # share of that bandwidth replication may use
start_date: 2027-01-04
wave_length_days: 14
cutover_window: {weekday: saturday, start: "00:00", end: "06:00", time_zone: America/Chicago}
blackout_dates: [2027-12-20..2028-01-03, 2027-11-25]
pilot_wave: true
tier0_not_before_wave: 3
pins:                       # server or application -> wave, or "after application X"
  - {application: Epic, environment: prd, wave: 6}
  - {server: RIS-APP01, after: Epic}
region: eastus2
pricing: {option: ri3y, hybrid_benefit: true}
sizing: {mode: performance-based, headroom: 1.3}
strong_link: {min_weight: 20, ports: [1433, 1521, 3306, 5432, 445, 2049]}
shared_services: {servers: [], applications: [], min_fan_in: 25, exclude: [], links: local}
hubs: [HL7 Interface Engine]  # planned like any application; their links cross (fan-in finds others)
allow_in_foundation: []     # servers/applications a wave-0 pin may take past the tier-0 and ordering rules
affinities: [[LIS-APP01, LIS-DB01]]
overrides: overrides.yaml   # strategy overrides file (YAML or CSV), relative to this file
saas_replacements: {Kronos: UKG Pro}
dependency_window: {max_age_months: 6, min_days: 7}   # older or shorter dependency data: a warning
sanity: {horizon_months: 24, max_waves: 40, max_blackout_share: 0.5}  # thresholds of the plan's warnings
spend: {test_migration_hours: 8}  # one test migration per server, in the one-time cost estimate
```
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from infra.errors import CareliftError
from infra.stackfile import load_stack_yaml

from infra.inputs import read_input_text

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PRICING_OPTIONS = ("payg", "ri1y", "ri3y")
SIZING_MODES = ("as-on-premises", "performance-based")
ENVIRONMENTS = ("prd", "tst", "dev", "trn", "rel", "poc", "dr")
SHARED_LINKS = ("cross", "local")


@dataclass(frozen=True)
class WaveLimits:
    max_servers: int = 40
    max_vcpu: int = 320
    max_replication_tb: float | None = None
    """None: derived from the link (see PlanSettings.replication_tb_per_wave)."""
    max_tier0_cutovers: int = 1


@dataclass(frozen=True)
class CutoverWindow:
    weekday: str = "saturday"
    start: str = "00:00"
    end: str = "06:00"
    time_zone: str = "America/Chicago"


@dataclass(frozen=True)
class Pin:
    server: str | None = None
    application: str | None = None
    environment: str | None = None
    """With `application`: only that environment of it."""
    wave: int | None = None
    after: str | None = None
    """An application name: everything pinned moves in a later wave than all of it."""


@dataclass(frozen=True)
class Pricing:
    option: str = "payg"
    hybrid_benefit: bool = True


@dataclass(frozen=True)
class SizingSettings:
    mode: str = "as-on-premises"
    headroom: float = 1.3
    """Performance-based: utilisation × headroom is the capacity to provision."""


@dataclass(frozen=True)
class StrongLink:
    min_weight: int = 20
    """Observation count at or above which a link glues two servers into one move group."""
    ports: tuple[int, ...] = (1433, 1434, 1521, 3306, 5432, 445, 2049, 139)
    """Database and file ports: links on them are strong whatever their weight (latency-sensitive)."""


@dataclass(frozen=True)
class SharedServices:
    servers: tuple[str, ...] = ()
    applications: tuple[str, ...] = ()
    min_fan_in: int = 25
    """A server that this many distinct servers connect to on one port is a shared service."""
    exclude: tuple[str, ...] = ()
    """Servers never treated as shared services (e.g. an interface engine that must move with its app)."""
    links: str = "local"
    """How links to shared services count in the hybrid exposure H and the crossing links:
    local (default) — they are extended into Azure in wave 0, as landing zones do with identity
    (domain controllers in the identity spoke, DNS forwarding both ways), collectors and backup
    targets: every server reaches an instance on its own side and their links never cross;
    cross — they move to Azure in wave 0 and are not kept on premises, so a link from a server of
    wave w to one spends w waves crossing."""


@dataclass(frozen=True)
class DependencyWindow:
    max_age_months: int = 6
    """Dependency data whose last observation is older than this before `start_date` is stale."""
    min_days: int = 7
    """Dependency data observed over fewer days misses weekly and month-end traffic."""


@dataclass(frozen=True)
class Sanity:
    horizon_months: int = 24
    """A plan whose last cutover is further than this after `start_date` is warned about."""
    max_waves: int = 40
    """More migration waves than a team can run at one cadence (about 18 months of fortnightly waves)."""
    max_blackout_share: float = 0.5
    """Blackouts covering more than this share of the plan's calendar are warned about."""


@dataclass(frozen=True)
class Spend:
    test_migration_hours: float = 8.0
    """Hours of pay-as-you-go compute one test migration of a server costs (plan JSON `spend`)."""


@dataclass(frozen=True)
class PlanSettings:
    wave: WaveLimits = WaveLimits()
    bandwidth_mbps: int = 1000
    replication_utilization: float = 0.5
    start_date: str = "2027-01-04"
    wave_length_days: int = 14
    cutover_window: CutoverWindow = CutoverWindow()
    blackout_dates: tuple[tuple[str, str], ...] = ()
    """Inclusive (first, last) ISO date ranges; a single date is (d, d)."""
    pilot_wave: bool = True
    tier0_not_before_wave: int = 3
    pins: tuple[Pin, ...] = ()
    region: str = "eastus2"
    pricing: Pricing = Pricing()
    sizing: SizingSettings = SizingSettings()
    strong_link: StrongLink = StrongLink()
    shared_services: SharedServices = SharedServices()
    affinities: tuple[tuple[str, ...], ...] = ()
    overrides: str | None = None
    """Path of the strategy overrides file, resolved against the settings file's directory."""
    saas_replacements: tuple[tuple[str, str], ...] = ()
    """Application name -> SaaS product that replaces it (repurchase)."""
    hubs: tuple[str, ...] = ()
    """Servers or applications planned as hubs: like any application, their links crossing."""
    allow_in_foundation: tuple[str, ...] = ()
    """Servers or applications a pin may put in wave 0 although the tier-0 floor or the
    non-production-before-production rule would forbid it."""
    dependency_window: DependencyWindow = DependencyWindow()
    sanity: Sanity = Sanity()
    spend: Spend = Spend()

    @property
    def replication_tb_per_wave(self) -> float:
        """Data one wave may replicate: the explicit limit, else bandwidth × utilisation × wave length."""
        if self.wave.max_replication_tb is not None:
            return self.wave.max_replication_tb
        seconds = self.wave_length_days * 86400
        return round(self.bandwidth_mbps * 1e6 / 8 * self.replication_utilization * seconds / 1e12, 3)


EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
"""Dates a migration plan can mean: a typo such as 0001-01-01 or 9999-12-25 is an input error,
not a plan whose calendar overflows."""
LIMITS = {
    "wave.max_servers": 1_000_000, "wave.max_vcpu": 100_000_000, "wave.max_replication_tb": 1_000_000.0,
    "wave.max_tier0_cutovers": 100_000, "bandwidth_mbps": 10_000_000, "wave_length_days": 365,
    "tier0_not_before_wave": 10_000, "strong_link.min_weight": 1_000_000_000,
    "shared_services.min_fan_in": 10_000_000, "pins[].wave": 10_000,
    "dependency_window.max_age_months": 120, "dependency_window.min_days": 365,
    "sanity.horizon_months": 1200, "sanity.max_waves": 100_000,
}
"""Upper bounds far past any real estate (a million servers in one wave, a year-long wave, a
10 Tbit/s link): a value beyond one is a typo or an attack, refused with its key."""


class SettingsError(CareliftError):
    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = tuple(problems)
        self.title = f"{len(self.problems)} problem(s) in the plan settings {source}"
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the plan settings")


def load_settings(path: Path | None) -> PlanSettings:
    """Settings from a YAML file (None: every default). Raises SettingsError naming each bad key."""
    if path is None:
        return PlanSettings()
    source = str(path)
    try:
        # The stack files' loader: unquoted dates stay text (`2027-02-30` is then "not a date"
        # under its key instead of a crash), and aliases are refused past the same limit.
        raw = load_stack_yaml(read_input_text(path))
    except FileNotFoundError:
        raise SettingsError(source, [f"{source} does not exist"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(source, [f"cannot read {source}: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SettingsError(source, [f"not valid YAML{where}: {getattr(exc, 'problem', exc)}"]) from None
    settings = parse_settings(raw or {}, source=source)
    if settings.overrides and not Path(settings.overrides).is_absolute():
        settings = replace(settings, overrides=str(Path(path).parent / settings.overrides))
    return settings


def parse_settings(raw: Any, *, source: str = "settings") -> PlanSettings:
    problems: list[str] = []
    reader = _Reader(problems)
    top = reader.mapping(raw, "", ("wave", "bandwidth_mbps", "replication_utilization", "start_date",
                                   "wave_length_days", "cutover_window", "blackout_dates", "pilot_wave",
                                   "tier0_not_before_wave", "pins", "region", "pricing", "sizing",
                                   "strong_link", "shared_services", "affinities", "overrides",
                                   "saas_replacements", "hubs", "allow_in_foundation", "dependency_window",
                                   "sanity", "spend"))
    d = PlanSettings()
    w = reader.mapping(top.get("wave"), "wave", ("max_servers", "max_vcpu", "max_replication_tb",
                                                  "max_tier0_cutovers"))
    wave = WaveLimits(
        max_servers=reader.integer(w, "max_servers", "wave", d.wave.max_servers, 1),
        max_vcpu=reader.integer(w, "max_vcpu", "wave", d.wave.max_vcpu, 1),
        max_replication_tb=reader.number(w, "max_replication_tb", "wave", None, 0.001),
        max_tier0_cutovers=reader.integer(w, "max_tier0_cutovers", "wave", d.wave.max_tier0_cutovers, 0),
    )
    c = reader.mapping(top.get("cutover_window"), "cutover_window", ("weekday", "start", "end", "time_zone"))
    window = CutoverWindow(
        weekday=reader.choice(c, "weekday", "cutover_window", d.cutover_window.weekday, WEEKDAYS, lower=True),
        start=reader.clock(c, "start", "cutover_window", d.cutover_window.start),
        end=reader.clock(c, "end", "cutover_window", d.cutover_window.end),
        time_zone=reader.time_zone(c, "time_zone", "cutover_window", d.cutover_window.time_zone),
    )
    p = reader.mapping(top.get("pricing"), "pricing", ("option", "hybrid_benefit"))
    s = reader.mapping(top.get("sizing"), "sizing", ("mode", "headroom"))
    sl = reader.mapping(top.get("strong_link"), "strong_link", ("min_weight", "ports"))
    dw = reader.mapping(top.get("dependency_window"), "dependency_window", ("max_age_months", "min_days"))
    sp = reader.mapping(top.get("spend"), "spend", ("test_migration_hours",))
    sa = reader.mapping(top.get("sanity"), "sanity", ("horizon_months", "max_waves", "max_blackout_share"))
    ss = reader.mapping(top.get("shared_services"), "shared_services",
                        ("servers", "applications", "min_fan_in", "exclude", "links"))
    settings = PlanSettings(
        wave=wave,
        bandwidth_mbps=reader.integer(top, "bandwidth_mbps", "", d.bandwidth_mbps, 1),
        replication_utilization=reader.number(top, "replication_utilization", "", d.replication_utilization,
                                              0.01, 1.0),
        start_date=reader.date(top, "start_date", "", d.start_date),
        wave_length_days=reader.integer(top, "wave_length_days", "", d.wave_length_days, 1),
        cutover_window=window,
        blackout_dates=reader.date_ranges(top.get("blackout_dates"), "blackout_dates"),
        pilot_wave=reader.boolean(top, "pilot_wave", "", d.pilot_wave),
        tier0_not_before_wave=reader.integer(top, "tier0_not_before_wave", "", d.tier0_not_before_wave, 1),
        pins=reader.pins(top.get("pins")),
        region=reader.text(top, "region", "", d.region),
        pricing=Pricing(option=reader.choice(p, "option", "pricing", d.pricing.option, PRICING_OPTIONS),
                        hybrid_benefit=reader.boolean(p, "hybrid_benefit", "pricing", d.pricing.hybrid_benefit)),
        sizing=SizingSettings(mode=reader.choice(s, "mode", "sizing", d.sizing.mode, SIZING_MODES),
                              headroom=reader.number(s, "headroom", "sizing", d.sizing.headroom, 1.0, 3.0)),
        strong_link=StrongLink(min_weight=reader.integer(sl, "min_weight", "strong_link", d.strong_link.min_weight, 1),
                               ports=reader.ports(sl, "ports", "strong_link", d.strong_link.ports)),
        shared_services=SharedServices(
            servers=reader.names(ss, "servers", "shared_services"),
            applications=reader.names(ss, "applications", "shared_services"),
            min_fan_in=reader.integer(ss, "min_fan_in", "shared_services", d.shared_services.min_fan_in, 2),
            exclude=reader.names(ss, "exclude", "shared_services"),
            links=reader.choice(ss, "links", "shared_services", d.shared_services.links, SHARED_LINKS)),
        affinities=reader.affinities(top.get("affinities")),
        overrides=reader.text(top, "overrides", "", None),
        saas_replacements=reader.replacements(top.get("saas_replacements")),
        hubs=reader.names(top, "hubs", ""),
        allow_in_foundation=reader.names(top, "allow_in_foundation", ""),
        dependency_window=DependencyWindow(
            max_age_months=reader.integer(dw, "max_age_months", "dependency_window",
                                          d.dependency_window.max_age_months, 1),
            min_days=reader.integer(dw, "min_days", "dependency_window", d.dependency_window.min_days, 1)),
        sanity=Sanity(
            horizon_months=reader.integer(sa, "horizon_months", "sanity", d.sanity.horizon_months, 1),
            max_waves=reader.integer(sa, "max_waves", "sanity", d.sanity.max_waves, 1),
            max_blackout_share=reader.number(sa, "max_blackout_share", "sanity", d.sanity.max_blackout_share,
                                             0.0, 1.0)),
        spend=Spend(test_migration_hours=reader.number(sp, "test_migration_hours", "spend",
                                                       d.spend.test_migration_hours, 0.0, 720.0)),
    )
    if problems:
        raise SettingsError(source, problems)
    return settings


class _Reader:
    def __init__(self, problems: list[str]):
        self.problems = problems

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    @staticmethod
    def _key(section: str, name: str) -> str:
        return f"{section}.{name}" if section else name

    def mapping(self, raw: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail(key or "settings", "must be a mapping")
            return {}
        for unknown in sorted(set(map(str, raw)) - set(allowed)):
            self.fail(self._key(key, unknown), f"is not a known setting (expected one of: {', '.join(allowed)})")
        return dict(raw)

    def integer(self, raw: Mapping, name: str, section: str, default: int, minimum: int) -> int:
        value = raw.get(name, default)
        key = self._key(section, name)
        maximum = LIMITS.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or \
                (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum:,}" if maximum is not None else f"≥ {minimum}"
            self.fail(key, f"must be an integer {bound}, got {_shown(value)}")
            return default
        return value

    def number(self, raw: Mapping, name: str, section: str, default: float | None, minimum: float,
               maximum: float | None = None) -> Any:
        value = raw.get(name, default)
        if value is None:
            return None
        key = self._key(section, name)
        maximum = maximum if maximum is not None else LIMITS.get(key)
        # NaN compares false with everything and .inf passes every lower bound: test finiteness first.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or \
                value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum:g} and {maximum:,g}" if maximum is not None else f"≥ {minimum:g}"
            self.fail(key, f"must be a finite number {bound}, got {_shown(value)}")
            return default
        return float(value)

    def boolean(self, raw: Mapping, name: str, section: str, default: bool) -> bool:
        value = raw.get(name, default)
        if not isinstance(value, bool):
            self.fail(self._key(section, name), f"must be true or false, got {value!r}")
            return default
        return value

    def text(self, raw: Mapping, name: str, section: str, default: str | None) -> Any:
        value = raw.get(name, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.fail(self._key(section, name), f"must be a non-empty string, got {value!r}")
            return default
        return value

    def choice(self, raw: Mapping, name: str, section: str, default: str, choices: tuple[str, ...],
               lower: bool = False) -> str:
        value = raw.get(name, default)
        if isinstance(value, str) and lower:
            value = value.lower()
        if value not in choices:
            self.fail(self._key(section, name), f"must be one of {', '.join(choices)}, got {value!r}")
            return default
        return value

    def clock(self, raw: Mapping, name: str, section: str, default: str) -> str:
        value = raw.get(name, default)
        if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 06:00 as 360 minutes
            value = f"{value // 60:02d}:{value % 60:02d}"
        if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            self.fail(self._key(section, name), f"must be a time HH:MM, got {value!r}")
            return default
        return value

    def time_zone(self, raw: Mapping, name: str, section: str, default: str) -> str:
        value = raw.get(name, default)
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(str(value))
        except Exception:  # noqa: BLE001 — zoneinfo raises several types for a bad key
            self.fail(self._key(section, name), f"must be an IANA time zone such as America/Chicago, got {value!r}")
            return default
        return str(value)

    def date(self, raw: Mapping, name: str, section: str, default: str) -> str:
        value = raw.get(name, default)
        parsed = _as_date(value)
        if parsed is None:
            self.fail(self._key(section, name), f"must be a real date YYYY-MM-DD, got {_shown(value)}")
            return default
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail(self._key(section, name), f"must be a date between {EARLIEST_DATE} and {LATEST_DATE}, "
                                                f"got {parsed.isoformat()}")
            return default
        return parsed.isoformat()

    def date_ranges(self, raw: Any, key: str) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail(key, "must be a list of dates or ranges (2027-12-20..2028-01-03)")
            return ()
        out = []
        for i, item in enumerate(raw):
            if isinstance(item, str) and ".." in item:
                first, _, last = item.partition("..")
                a, b = _as_date(first.strip()), _as_date(last.strip())
            else:
                a = b = _as_date(item)
            if a is None or b is None or b < a:
                self.fail(f"{key}[{i}]", f"must be a real date or a range FIRST..LAST with FIRST ≤ LAST, "
                                         f"got {_shown(item)}")
                continue
            if a < EARLIEST_DATE or b > LATEST_DATE:
                self.fail(f"{key}[{i}]", f"must lie between {EARLIEST_DATE} and {LATEST_DATE}, got {_shown(item)}")
                continue
            out.append((a.isoformat(), b.isoformat()))
        return tuple(sorted(out))

    def names(self, raw: Mapping, name: str, section: str) -> tuple[str, ...]:
        value = raw.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(self._key(section, name), "must be a list of names")
            return ()
        return tuple(value)

    def ports(self, raw: Mapping, name: str, section: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = raw.get(name, list(default))
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 65536
                                                  for v in value):
            self.fail(self._key(section, name), "must be a list of TCP ports (1-65535)")
            return default
        return tuple(sorted(set(value)))

    def pins(self, raw: Any) -> tuple[Pin, ...]:
        out = []
        for i, item in enumerate(raw or []):
            key = f"pins[{i}]"
            entry = self.mapping(item, key, ("server", "application", "environment", "wave", "after"))
            if not entry:
                continue
            server, application = entry.get("server"), entry.get("application")
            if (server is None) == (application is None):
                self.fail(key, "needs exactly one of server or application")
                continue
            if entry.get("environment") is not None and application is None:
                self.fail(f"{key}.environment", "only applies with application")
            if entry.get("environment") is not None and entry["environment"] not in ENVIRONMENTS:
                self.fail(f"{key}.environment", f"must be one of {', '.join(ENVIRONMENTS)}")
            wave, after = entry.get("wave"), entry.get("after")
            if (wave is None) == (after is None):
                self.fail(key, "needs exactly one of wave or after")
                continue
            if wave is not None and (isinstance(wave, bool) or not isinstance(wave, int) or wave < 0
                                     or wave > LIMITS["pins[].wave"]):
                self.fail(f"{key}.wave", f"must be a wave number between 0 and {LIMITS['pins[].wave']:,}, "
                                         f"got {_shown(wave)}")
                continue
            out.append(Pin(server=server, application=application, environment=entry.get("environment"),
                           wave=wave, after=after))
        return tuple(out)

    def affinities(self, raw: Any) -> tuple[tuple[str, ...], ...]:
        out = []
        for i, group in enumerate(raw or []):
            if not isinstance(group, list) or not group or not all(isinstance(s, str) and s.strip() for s in group):
                self.fail(f"affinities[{i}]", "must be a list of server or application names")
                continue
            out.append(tuple(group))
        return tuple(out)

    def replacements(self, raw: Any) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
            self.fail("saas_replacements", "must map application names to SaaS product names")
            return ()
        return tuple(sorted(raw.items()))


def _shown(value: Any, limit: int = 60) -> str:
    """A value quoted in a message, capped: a settings file must not echo a megabyte back."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
