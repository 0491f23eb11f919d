"""App Service and Azure Functions: HTTPS only, TLS 1.2, no plain FTP, a managed identity, private
access, no remote debugging, authenticated callers, logs in Log Analytics and supported runtimes.

The planner rehosts web workloads on App Service; these controls judge what lands there. Web apps
and function apps are both `Microsoft.Web/sites` (the `kind` tells them apart; findings name the
real kind); deployment slots take the same rules. Site configuration comes either inline
(`properties.siteConfig`) or as the child resource `<site>/config/web` (templates and live reads
use both); authentication as `<site>/config/authsettingsV2` (or the older `authsettings`).
"""

from __future__ import annotations

import re
from typing import Any

from infra.compliance.controls.monitoring import workspace_logs
from infra.compliance.controls.privatelink import approved_endpoints, listing
from infra.compliance.controls.values import (Setting, boolean, canonical, number, same, setting, shown,
                                              supported_runtimes)
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries
from infra.compliance.model import Document, Outcome, cannot_judge, failed, is_unknown, passed
from infra.compliance.registry import control

SITES = ("Microsoft.Web/sites", "Microsoft.Web/sites/slots")
SITE_DEFAULTS_TYPE = "Microsoft.Web/sites"


def _config_children(site: Document, index: ResourceIndex, name: str) -> list[Document]:
    child_type = f"{site.get('type')}/config"
    return [c for c in index.children(str(site.get("id", "")), child_type)
            if str(c.get("name", "")).rsplit("/", 1)[-1].lower() == name.lower()]


def site_config(site: Document, index: ResourceIndex, key: str) -> Any:
    """A SiteConfig value: the `<site>/config/web` child wins over the inline siteConfig (it is applied last)."""
    for child in _config_children(site, index, "web"):
        value = get(child, f"properties.{key}")
        if value is not None:
            return value
    return get(site, f"properties.siteConfig.{key}")


def _config_setting(site: Document, index: ResourceIndex, key: str) -> Setting:
    """Like `setting()`, for a SiteConfig key, with Azure's default for sites when neither form states it."""
    value = site_config(site, index, key)
    if value is not None:
        return Setting(value)
    return setting({"apiVersion": site.get("apiVersion")}, f"properties.siteConfig.{key}", SITE_DEFAULTS_TYPE)


def is_function_app(site: Document) -> bool:
    return "functionapp" in {k.strip() for k in str(site.get("kind") or "").lower().split(",")}


@control(
    id="CL-APP-001", title="App Service and function apps accept HTTPS only", severity="high", scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"), types=SITES,
    policy=("a4af4a39-4135-47fb-b175-47fbdf85311d", "6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab"),
    checkov=("CKV_AZURE_14", "CKV_AZURE_70", "CKV_AZURE_153"),
    remediation="Set properties.httpsOnly to true; App Service then redirects every HTTP request to HTTPS.",
)
def https_only(site: Document, index: ResourceIndex) -> Outcome:
    """No request or response carrying PHI crosses the network in clear text."""
    https = setting(site, "properties.httpsOnly", SITE_DEFAULTS_TYPE)
    if boolean(https.value) is True:
        return passed(sentence(site, "accepts HTTPS only"))
    found = f"does not set httpsOnly{https.note}" if https.is_default else f"has httpsOnly {shown(https.value)}"
    return failed(sentence(site, f"{found}, so it answers plain HTTP requests"))


@control(
    id="CL-APP-002", title="App Service and function apps require TLS 1.2 or later", severity="high", scope="graph",
    citations=("45 CFR 164.312(e)(2)(ii)",), types=SITES,
    policy=("f0e6e85b-9b9f-4a4b-b67b-f730d42f1b0b", "f9d614c5-c173-4d56-95a7-b4437057d193"),
    checkov=("CKV_AZURE_15",),
    remediation="Set siteConfig.minTlsVersion to 1.2 (or 1.3).",
)
def minimum_tls(site: Document, index: ResourceIndex) -> Outcome:
    """TLS 1.0 and 1.1 are broken enough that PHI must not travel over them."""
    version = _config_setting(site, index, "minTlsVersion")
    found = number(version.value)
    if found is not None and found >= 1.2:
        return passed(sentence(site, f"requires TLS {shown(version.value)} or later{version.note}"))
    return failed(sentence(site, f"accepts TLS {shown(version.value) if version.value is not None else 'unset'}"
                                 f"{version.note}; 1.2 is the minimum"))


FTPS_OK = ("FtpsOnly", "Disabled")


@control(
    id="CL-APP-003", title="App Service and function apps allow FTPS only, or no FTP", severity="high", scope="graph",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"), types=SITES,
    policy=("4d24b6d4-5e53-4a4f-a7f4-618fa573ee4b", "399b2637-a50f-4f95-96f8-3a145476eb15"),
    checkov=("CKV_AZURE_78",),
    remediation="Set siteConfig.ftpsState to Disabled (deploy through CI with Entra ID) or FtpsOnly.",
)
def ftps_only(site: Document, index: ResourceIndex) -> Outcome:
    """Deployment credentials and code never cross the network over plain FTP."""
    state = _config_setting(site, index, "ftpsState")
    allowed = canonical(state.value, FTPS_OK)
    if allowed:
        return passed(sentence(site, f"has ftpsState {allowed}{state.note}"))
    return failed(sentence(site, f"has ftpsState {shown(state.value) if state.value else 'unset'}{state.note}, so "
                                 "deployment credentials can travel over plain FTP"))


@control(
    id="CL-APP-004", title="App Service and function apps have a managed identity", severity="medium",
    scope="resource",
    citations=("45 CFR 164.312(d)", "45 CFR 164.312(a)(2)(i)"), types=SITES,
    policy=("2b9ad585-36bc-4615-b300-fd4435808332", "0da106f2-4ca3-48e8-bc85-c638fe6aea8f"),
    checkov=("CKV_AZURE_16", "CKV_AZURE_71"),
    remediation="Set identity.type to SystemAssigned or UserAssigned and grant that identity the roles the app "
                "needs (Key Vault, SQL, storage) instead of storing connection secrets.",
)
def managed_identity(site: Document, index: ResourceIndex) -> Outcome:
    """The app reaches databases and vaults as itself, with no password in its settings."""
    kinds = {part.strip().lower() for part in str(get(site, "identity.type", "")).split(",")}
    if kinds & {"systemassigned", "userassigned"}:
        return passed(sentence(site, f"has a managed identity ({get(site, 'identity.type')})"))
    return failed(sentence(site, "has no managed identity, so it reaches other services with stored secrets"))


@control(
    id="CL-APP-005", title="App Service and function apps are closed to public networks", severity="high",
    scope="graph",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"), types=SITES,
    policy=("1b5ef780-c53c-4a64-87f3-bb9c8c8094ba", "969ac98b-88a8-449f-883c-2e9adb123127",
            "687aa49d-0982-40f8-bf6b-66d1da97a04b"),
    checkov=("CKV_AZURE_222",),
    remediation="Set properties.publicNetworkAccess to Disabled and reach the app through a private endpoint "
                "(group id 'sites', zone privatelink.azurewebsites.net), published through the hub if needed.",
    description="Passes when public network access is Disabled, or when it is left unset and an approved private "
                "endpoint exists (App Service then closes the public endpoint); an explicit Enabled fails even "
                "with a private endpoint.",
)
def private_access(site: Document, index: ResourceIndex) -> Outcome:
    """The app's endpoint, which serves PHI, is not reachable from the internet."""
    stated = get(site, "properties.publicNetworkAccess")
    if same(stated, "Disabled"):
        return passed(sentence(site, "has public network access disabled"))
    endpoints = approved_endpoints(site, index)
    if stated is None and endpoints:
        return passed(sentence(site, f"is reached through approved {listing('private endpoint', endpoints)}, which "
                                     "closes its public endpoint (publicNetworkAccess unset)"))
    access = setting(site, "properties.publicNetworkAccess", SITE_DEFAULTS_TYPE)
    also = f" even though it has {listing('private endpoint', endpoints)}" if endpoints else ""
    return failed(sentence(site, f"has public network access {shown(access.value) if access.value else 'unset'}"
                                 f"{access.note}{also}, so it is reachable from the internet"))


@control(
    id="CL-APP-006", title="App Service and function apps have remote debugging off", severity="medium",
    scope="graph",
    citations=("45 CFR 164.312(a)(1)",), types=SITES,
    policy=("cb510bfd-1cba-4d9f-a230-cb0976f4bb71", "0e60b895-3786-45da-8377-9c6b4b6ac5f9"),
    checkov=("CKV_AZURE_72", "CKV_AZURE_155"),
    remediation="Set siteConfig.remoteDebuggingEnabled to false (debug in a non-production slot, then turn it off).",
)
def remote_debugging_off(site: Document, index: ResourceIndex) -> Outcome:
    """Remote debugging opens extra ports and lets a debugger read process memory, PHI included."""
    debugging = _config_setting(site, index, "remoteDebuggingEnabled")
    if boolean(debugging.value) is False:
        return passed(sentence(site, f"has remote debugging off{debugging.note}"))
    return failed(sentence(site, f"has remoteDebuggingEnabled {shown(debugging.value)}, which opens debugger ports "
                                 "into the running app"))


def _authentication(site: Document, index: ResourceIndex) -> str | None:
    """How App Service Authentication turns anonymous callers away, or None when it does not."""
    for config in _config_children(site, index, "authsettingsV2"):
        platform = boolean(get(config, "properties.platform.enabled"))
        required = boolean(get(config, "properties.globalValidation.requireAuthentication"))
        action = get(config, "properties.globalValidation.unauthenticatedClientAction")
        if platform and (required or (action is not None and not same(action, "AllowAnonymous"))):
            return "App Service Authentication (authsettingsV2) requires sign-in"
    for config in _config_children(site, index, "authsettings"):
        action = get(config, "properties.unauthenticatedClientAction")
        if boolean(get(config, "properties.enabled")) and not same(action, "AllowAnonymous"):
            return "App Service Authentication (authsettings) requires sign-in"
    return None


@control(
    id="CL-APP-007", title="App Service and function apps authenticate callers", severity="high", scope="graph",
    citations=("45 CFR 164.312(d)", "45 CFR 164.312(a)(1)"), types=SITES,
    policy=("95bccee9-a7f8-4bec-9ee9-62c3473701fc", "c75248c1-ea1d-4a9c-8fc9-29a6aabd5da8",
            "19dd1db6-f442-49cf-a838-b0786b4401ef", "ab6a902f-9493-453b-928d-62c30b11b5a6"),
    checkov=("CKV_AZURE_13", "CKV_AZURE_17"),
    remediation="Turn on App Service Authentication (config/authsettingsV2: platform.enabled true, "
                "globalValidation.requireAuthentication true) or require client certificates (clientCertEnabled "
                "true with clientCertMode Required).",
    description="Either mechanism passes. Client certificates in an Optional mode fail: they are set but do not "
                "turn anyone away.",
)
def callers_authenticated(site: Document, index: ResourceIndex) -> Outcome:
    """Only identified people and systems reach the app; anonymous requests are refused before the code runs."""
    auth = _authentication(site, index)
    if auth:
        return passed(sentence(site, f"turns anonymous callers away: {auth}"))
    certs = setting(site, "properties.clientCertEnabled", SITE_DEFAULTS_TYPE)
    mode = get(site, "properties.clientCertMode")
    if boolean(certs.value) is True and (mode is None or same(mode, "Required")):
        return passed(sentence(site, "requires a client certificate on every request"))
    if boolean(certs.value) is True:
        return failed(sentence(site, f"accepts client certificates in mode {shown(mode)}, which lets requests "
                                     "without one through, and has no App Service Authentication requiring sign-in"))
    return failed(sentence(site, f"requires neither sign-in (App Service Authentication) nor client certificates"
                                 f"{certs.note}, so anonymous callers reach its code"))


# Log categories (lower case) that record each HTTP request, and the groups that include them.
HTTP_LOGS = {"web": ("appservicehttplogs",), "function": ("functionapplogs", "appservicehttplogs")}
LOG_GROUPS = ("alllogs",)


@control(
    id="CL-APP-008", title="App Service and function apps send request logs to Log Analytics", severity="medium",
    scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"), types=SITES,
    policy=("91a78b24-f231-4a8a-8da9-02c35b2b6510",), checkov=("CKV_AZURE_63",),
    remediation="Add a diagnostic setting on the app with a workspaceId and the AppServiceHTTPLogs category "
                "(FunctionAppLogs for function apps), or the allLogs category group.",
    description="Stricter than Checkov's CKV_AZURE_63: HTTP logging to the app's own file system "
                "(httpLoggingEnabled) rotates away and is not reviewed with the audit trail, so it does not pass.",
)
def request_logs(site: Document, index: ResourceIndex) -> Outcome:
    """Every request to the app is recorded where the security team reviews activity."""
    sent = workspace_logs(index, str(site.get("id", "")))
    wanted = HTTP_LOGS["function" if is_function_app(site) else "web"] + LOG_GROUPS
    found = next((c for c in wanted if c in sent), None)
    if found:
        return passed(sentence(site, f"sends its {found} logs to Log Analytics through diagnostic setting "
                                     f"'{sent[found]}'"))
    if boolean(site_config(site, index, "httpLoggingEnabled")) is True:
        return failed(sentence(site, "keeps request logs only on its own file system (httpLoggingEnabled), not in a "
                                     "Log Analytics workspace, so requests to it are not recorded for review"))
    return failed(sentence(site, "does not send request logs to a Log Analytics workspace, so requests to it are not "
                                 "recorded for review"))


# siteConfig key -> language, for Windows apps; Linux apps say "<LANGUAGE>|<version>" in linuxFxVersion.
WINDOWS_RUNTIMES = {"pythonVersion": "python", "phpVersion": "php", "javaVersion": "java", "nodeVersion": "node",
                    "netFrameworkVersion": "dotnet"}
LINUX_LANGUAGES = {"python": "python", "php": "php", "node": "node", "java": "java", "dotnetcore": "dotnet",
                   "dotnet": "dotnet", "dotnet-isolated": "dotnet"}


def _version(text: str) -> tuple[int, ...] | None:
    match = re.match(r"\D*(\d+(?:\.\d+)*)", text)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


# App settings that pin a runtime: Windows Node apps and the Azure Functions host.
RUNTIME_SETTINGS = {"WEBSITE_NODE_DEFAULT_VERSION": "node", "FUNCTIONS_EXTENSION_VERSION": "functions"}


def _app_settings(site: Document, index: ResourceIndex) -> dict[str, Any]:
    """App settings from siteConfig.appSettings ([{name, value}]) and the <site>/config/appsettings child."""
    found: dict[str, Any] = {}
    for entry in get_entries(site, "properties.siteConfig.appSettings"):
        if isinstance(entry.get("name"), str):
            found[entry["name"].upper()] = entry.get("value")
    for child in _config_children(site, index, "appsettings"):
        properties = child.get("properties")
        if isinstance(properties, dict):
            found.update({str(k).upper(): v for k, v in properties.items()})
    return found


def _runtimes(site: Document, index: ResourceIndex) -> list[tuple[str, str]]:
    """(language, version text) the site states."""
    found = []
    settings = _app_settings(site, index)
    for name, language in RUNTIME_SETTINGS.items():
        value = settings.get(name)
        if isinstance(value, str) and not is_unknown(value) and value.strip():
            found.append((language, value.strip()))
    linux = str(site_config(site, index, "linuxFxVersion") or "")
    if "|" in linux:
        language, _, version = linux.partition("|")
        if language.strip().lower() in LINUX_LANGUAGES and _version(version) is not None:
            found.append((LINUX_LANGUAGES[language.strip().lower()], version.strip()))
    for key, language in WINDOWS_RUNTIMES.items():
        value = site_config(site, index, key)
        text = "" if value is None else str(value).strip()
        if text.lower() in ("", "off"):
            continue  # this language is not in use
        if key == "netFrameworkVersion" and text.lower().lstrip("v").startswith("4."):
            continue  # .NET Framework 4.x (v4.0 runs 4.8), supported with Windows itself
        found.append((language, text))
    return found


@control(
    id="CL-APP-009", title="App Service and function apps run a supported language runtime", severity="medium",
    scope="graph",
    citations=("45 CFR 164.308(a)(5)(ii)(B)", "45 CFR 164.308(a)(1)(ii)(B)"), types=SITES,
    policy=("7008174a-fd10-4ef0-817e-fc820a951d73", "7261b898-8a84-4db8-9e04-18527132abb3",
            "496223c3-ad65-4ecd-878a-bae78737e9ed", "7238174a-fd10-4ef0-817e-fc820a951d73",
            "9d0b6ea4-93e2-4578-bf2f-6bb17d22b4bc"),
    checkov=("CKV_AZURE_80", "CKV_AZURE_81", "CKV_AZURE_82", "CKV_AZURE_83"),
    remediation="Move the app to a language version still in support (the oldest supported versions are dated in "
                "infra/compliance/azure-defaults.yaml, supported_runtimes) and redeploy.",
)
def supported_runtime(site: Document, index: ResourceIndex) -> Outcome:
    """A runtime past end of life gets no security fixes, so known vulnerabilities stay open."""
    as_of, oldest = supported_runtimes()
    stated = _runtimes(site, index)
    if not stated:
        container = str(site_config(site, index, "linuxFxVersion") or "")
        if container.lower().startswith(("docker|", "compose|")):
            return passed(sentence(site, f"runs container image {container.partition('|')[2]}, whose runtime the "
                                         "image carries"))
        return cannot_judge(sentence(site, "states no language runtime version; cannot judge offline which runtime "
                                           "it runs"))
    old, invalid = [], []
    for language, text in stated:
        version, minimum = _version(text), _version(oldest[language])
        if version is None:
            invalid.append(f"{language} version '{text}'")
        elif minimum is None or version < minimum:
            old.append(f"{language} {text} (oldest supported {oldest[language]})")
    problems = ([f"runs {', '.join(old)}, out of support as of {as_of}"] if old else []) + (
        [f"states {', '.join(invalid)}, which is not a runtime version"] if invalid else [])
    if problems:
        return failed(sentence(site, "; ".join(problems)))
    return passed(sentence(site, f"runs {', '.join(f'{lang} {text}' for lang, text in stated)}, in support as of "
                                 f"{as_of}"))
