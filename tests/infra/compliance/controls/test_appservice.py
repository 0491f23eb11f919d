"""App Service and function app controls, with site configuration inline or as the config/web child."""

from __future__ import annotations

from infra.compliance.controls import appservice
from infra.compliance.model import Status, Unknown
from tests.infra.compliance.arm import controls_of, extension, messages, private_endpoint, rendered_statuses, resource, statuses

SITE = "Microsoft.Web/sites"
SLOT = "Microsoft.Web/sites/slots"
CONFIG = "Microsoft.Web/sites/config"
DIAG = "Microsoft.Insights/diagnosticSettings"


def site(name: str, kind: str = "app", site_config: dict | None = None, **properties) -> dict:
    return resource(SITE, name, {**properties, **({"siteConfig": site_config} if site_config else {})}, kind=kind)


def config(app: str, name: str, **properties) -> dict:
    return resource(CONFIG, f"{app}/{name}", properties)


class TestHttpsOnly:
    def test_pass_with_true_in_any_spelling(self):
        documents = [site("app-https", httpsOnly=True), site("func-https", kind="functionapp", httpsOnly="True")]
        assert messages(appservice.https_only, documents) == [
            "App Service app 'app-https' accepts HTTPS only.", "Function app 'func-https' accepts HTTPS only."]

    def test_fail_when_false_or_unset(self):
        documents = [site("app-http", httpsOnly=False), site("app-unset")]
        assert statuses(appservice.https_only, documents) == {"app-http": Status.FAIL, "app-unset": Status.FAIL}
        assert messages(appservice.https_only, documents) == [
            "App Service app 'app-http' has httpsOnly false, so it answers plain HTTP requests.",
            "App Service app 'app-unset' does not set httpsOnly (httpsOnly unset: Azure's default is false), so it "
            "answers plain HTTP requests."]

    def test_slots_are_judged_too(self):
        slot = resource(SLOT, "app/staging", {"httpsOnly": False})
        assert statuses(appservice.https_only, [slot]) == {"staging": Status.FAIL}

    def test_empty(self):
        assert statuses(appservice.https_only, []) == {}


class TestMinimumTls:
    def test_pass_inline_from_config_child_or_default(self):
        documents = [site("app-inline", site_config={"minTlsVersion": "1.3"}), site("app-child"),
                     config("app-child", "web", minTlsVersion=1.2), site("app-default")]
        assert messages(appservice.minimum_tls, documents) == [
            "App Service app 'app-child' requires TLS 1.2 or later.",
            "App Service app 'app-default' requires TLS 1.2 or later (minTlsVersion unset: Azure's default is 1.2).",
            "App Service app 'app-inline' requires TLS 1.3 or later."]

    def test_fail_on_old_tls_and_the_child_wins_over_inline(self):
        documents = [site("app-old", site_config={"minTlsVersion": "1.2"}), config("app-old", "web", minTlsVersion="1.0")]
        assert messages(appservice.minimum_tls, documents) == [
            "App Service app 'app-old' accepts TLS 1.0; 1.2 is the minimum."]

    def test_empty(self):
        assert statuses(appservice.minimum_tls, []) == {}


class TestFtpsOnly:
    def test_pass_ftps_only_or_disabled(self):
        documents = [site("app-ftps", site_config={"ftpsState": "ftpsonly"}),
                     site("app-noftp", site_config={"ftpsState": "Disabled"})]
        assert statuses(appservice.ftps_only, documents) == {"app-ftps": Status.PASS, "app-noftp": Status.PASS}

    def test_fail_when_all_allowed_or_unset(self):
        documents = [site("app-ftp", site_config={"ftpsState": "AllAllowed"}), site("app-unset")]
        assert messages(appservice.ftps_only, documents) == [
            "App Service app 'app-ftp' has ftpsState AllAllowed, so deployment credentials can travel over plain FTP.",
            "App Service app 'app-unset' has ftpsState AllAllowed (ftpsState unset: Azure's default is AllAllowed), "
            "so deployment credentials can travel over plain FTP."]

    def test_empty(self):
        assert statuses(appservice.ftps_only, []) == {}


class TestManagedIdentity:
    def test_pass_and_fail(self):
        documents = [{**site("app-msi"), "identity": {"type": "SystemAssigned, UserAssigned"}},
                     {**site("app-none"), "identity": {"type": "None"}}, site("app-bare")]
        assert statuses(appservice.managed_identity, documents) == {
            "app-msi": Status.PASS, "app-none": Status.FAIL, "app-bare": Status.FAIL}

    def test_empty(self):
        assert statuses(appservice.managed_identity, []) == {}


class TestPrivateAccess:
    def test_pass_when_disabled_or_unset_with_an_approved_endpoint(self):
        closed, linked = site("app-closed", publicNetworkAccess="disabled"), site("app-linked")
        documents = [closed, linked, private_endpoint(linked, "pe-app", "sites")]
        assert messages(appservice.private_access, documents[:2] + documents[2:]) == [
            "App Service app 'app-closed' has public network access disabled.",
            "App Service app 'app-linked' is reached through approved private endpoint pe-app, which closes its "
            "public endpoint (publicNetworkAccess unset)."]

    def test_fail_when_public_even_with_an_endpoint(self):
        open_app, bare = site("app-open", publicNetworkAccess="Enabled"), site("app-bare")
        documents = [open_app, bare, private_endpoint(open_app, "pe-open", "sites")]
        assert messages(appservice.private_access, documents) == [
            "App Service app 'app-bare' has public network access Enabled (publicNetworkAccess unset: Azure's default "
            "is Enabled), so it is reachable from the internet.",
            "App Service app 'app-open' has public network access Enabled even though it has private endpoint "
            "pe-open, so it is reachable from the internet."]

    def test_an_unknown_value_in_another_document_does_not_make_it_manual(self):
        """Finding the app's endpoints reads every document; an expression elsewhere was not used to judge it."""
        sql = resource("Microsoft.Sql/servers", "sql-a", {"administratorLogin": Unknown("[parameters('login')]")})
        assert statuses(appservice.private_access, [sql, site("app-bare")]) == {"app-bare": Status.FAIL}

    def test_empty(self):
        assert statuses(appservice.private_access, []) == {}


class TestRemoteDebuggingOff:
    def test_pass_when_off_or_unset(self):
        documents = [site("app-off", site_config={"remoteDebuggingEnabled": "false"}), site("app-unset")]
        assert messages(appservice.remote_debugging_off, documents) == [
            "App Service app 'app-off' has remote debugging off.",
            "App Service app 'app-unset' has remote debugging off (remoteDebuggingEnabled unset: Azure's default is "
            "false)."]

    def test_fail_when_on(self):
        documents = [site("app-debug"), config("app-debug", "web", remoteDebuggingEnabled=True)]
        assert messages(appservice.remote_debugging_off, documents) == [
            "App Service app 'app-debug' has remoteDebuggingEnabled true, which opens debugger ports into the running "
            "app."]

    def test_empty(self):
        assert statuses(appservice.remote_debugging_off, []) == {}


class TestCallersAuthenticated:
    def test_pass_with_easy_auth_or_required_client_certificates(self):
        v2, legacy = site("app-v2"), site("app-v1")
        documents = [v2, legacy, site("app-certs", clientCertEnabled=True, clientCertMode="Required"),
                     config("app-v2", "authsettingsV2", platform={"enabled": True},
                            globalValidation={"requireAuthentication": True}),
                     config("app-v1", "authsettings", enabled="true", unauthenticatedClientAction="RedirectToLoginPage")]
        assert statuses(appservice.callers_authenticated, documents) == {
            "app-v2": Status.PASS, "app-v1": Status.PASS, "app-certs": Status.PASS}

    def test_fail_when_anonymous_or_certificates_optional(self):
        anonymous = site("app-anon")
        documents = [anonymous, site("app-optional", clientCertEnabled=True, clientCertMode="Optional"),
                     site("app-bare"),
                     config("app-anon", "authsettingsV2", platform={"enabled": True},
                            globalValidation={"unauthenticatedClientAction": "AllowAnonymous"})]
        assert messages(appservice.callers_authenticated, documents) == [
            "App Service app 'app-anon' requires neither sign-in (App Service Authentication) nor client certificates "
            "(clientCertEnabled unset: Azure's default is false), so anonymous callers reach its code.",
            "App Service app 'app-bare' requires neither sign-in (App Service Authentication) nor client certificates "
            "(clientCertEnabled unset: Azure's default is false), so anonymous callers reach its code.",
            "App Service app 'app-optional' accepts client certificates in mode Optional, which lets requests without "
            "one through, and has no App Service Authentication requiring sign-in."]

    def test_empty(self):
        assert statuses(appservice.callers_authenticated, []) == {}


def diagnostics(target: dict, workspace: str | None = "/w", **log) -> dict:
    return extension(target, DIAG, "diag-app", {"workspaceId": workspace, "logs": [{"enabled": True, **log}]})


class TestRequestLogs:
    def test_pass_with_http_or_function_logs_to_a_workspace(self):
        web, func = site("app-web"), site("func-app", kind="functionapp,linux")
        documents = [web, func, diagnostics(web, category="AppServiceHTTPLogs"),
                     diagnostics(func, category="FunctionAppLogs")]
        assert statuses(appservice.request_logs, documents) == {"app-web": Status.PASS, "func-app": Status.PASS}

    def test_fail_with_file_system_logs_only_or_the_wrong_category(self):
        local, console = site("app-local", site_config={"httpLoggingEnabled": True}), site("app-console")
        documents = [local, console, diagnostics(console, category="AppServiceConsoleLogs")]
        assert messages(appservice.request_logs, documents) == [
            "App Service app 'app-console' does not send request logs to a Log Analytics workspace, so requests to it "
            "are not recorded for review.",
            "App Service app 'app-local' keeps request logs only on its own file system (httpLoggingEnabled), not in a "
            "Log Analytics workspace, so requests to it are not recorded for review."]

    def test_empty(self):
        assert statuses(appservice.request_logs, []) == {}


class TestSupportedRuntime:
    def test_pass_on_supported_versions_containers_and_net_framework(self):
        documents = [site("app-py", site_config={"linuxFxVersion": "PYTHON|3.12"}),
                     site("app-net", site_config={"netFrameworkVersion": "v4.0", "phpVersion": "OFF"}),
                     site("app-docker", site_config={"linuxFxVersion": "DOCKER|contoso/ehr:1.4"})]
        as_of = appservice.supported_runtimes()[0]
        assert messages(appservice.supported_runtime, documents) == [
            "App Service app 'app-docker' runs container image contoso/ehr:1.4, whose runtime the image carries.",
            "App Service app 'app-net' states no language runtime version; cannot judge offline which runtime it runs.",
            f"App Service app 'app-py' runs python 3.12, in support as of {as_of}."]
        assert statuses(appservice.supported_runtime, documents)["app-net"] is Status.MANUAL

    def test_fail_on_end_of_life_versions(self):
        documents = [site("app-node", site_config={"linuxFxVersion": "NODE|18-lts"}),
                     site("app-java", site_config={"javaVersion": "1.8"}),
                     site("app-typo", site_config={"pythonVersion": "unknown"})]
        as_of, oldest = appservice.supported_runtimes()
        assert messages(appservice.supported_runtime, documents) == [
            f"App Service app 'app-java' runs java 1.8 (oldest supported {oldest['java']}), out of support as of "
            f"{as_of}.",
            f"App Service app 'app-node' runs node 18-lts (oldest supported {oldest['node']}), out of support as of "
            f"{as_of}.",
            "App Service app 'app-typo' states python version 'unknown', which is not a runtime version."]

    def test_runtime_pinned_in_app_settings(self):
        """Windows Node apps and the Functions host state their versions as app settings, inline or as a child."""
        inline = site("func-old", kind="functionapp", site_config={"appSettings": [
            {"name": "FUNCTIONS_EXTENSION_VERSION", "value": "~2"},
            {"name": "WEBSITE_NODE_DEFAULT_VERSION", "value": "~10"}]})
        current = site("func-new", kind="functionapp")
        documents = [inline, current, config("func-new", "appsettings", FUNCTIONS_EXTENSION_VERSION="~4")]
        as_of, oldest = appservice.supported_runtimes()
        assert messages(appservice.supported_runtime, documents) == [
            f"Function app 'func-new' runs functions ~4, in support as of {as_of}.",
            f"Function app 'func-old' runs node ~10 (oldest supported {oldest['node']}), functions ~2 (oldest "
            f"supported {oldest['functions']}), out of support as of {as_of}."]

    def test_empty(self):
        assert statuses(appservice.supported_runtime, []) == {}


def test_rendered_stacks_have_nothing_to_judge(rendering):
    """carelift creates no App Service yet: the controls judge nothing rather than something spurious."""
    assert rendered_statuses(rendering, controls_of(appservice)) == {}
