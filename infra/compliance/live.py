"""Read a live subscription as ARM documents — read-only — for the same catalog as the offline audit.

`read_subscription` lists the resources of a subscription (or one resource group) with
azure-mgmt-resource, GETs each with the newest stable API version its provider supports, and
reads what listing leaves out but the catalog checks: diagnostic settings of every resource and
of the subscription, locks, policy assignments and exemptions, role assignments at the
subscription, Defender plans, and child resources (vault keys, endpoint zone groups, blob
services/containers/immutability policies, model deployments and content filters, flow logs,
DNS zone links, SQL auditing/Entra-only/TDE). VNet subnets and NSG rules come inline.

Only GET requests are sent. The client's pipeline is the SDK's own minus its automatic
resource-provider registration (which would POST on a 409), with its retry policy configured:
429 and 5xx are retried (honouring Retry-After) a bounded number of times. Failing to list the
resources is fatal (`LiveReadError`, with a message an operator can act on); failing to read
one resource or one extra list is a warning, and the resource is audited from what is known.
TLS verification cannot be turned off (give `connection_verify` a CA bundle instead); tokens
never appear in messages, and the SDK's HTTP log redacts the Authorization header.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import (AzureError, ClientAuthenticationError, HttpResponseError, ResourceNotFoundError,
                                   ServiceRequestError, ServiceRequestTimeoutError, ServiceResponseTimeoutError)
from azure.core.pipeline import policies
from azure.core.rest import HttpRequest
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
from azure.mgmt.resource.resources import ResourceManagementClient

from infra.compliance.model import Unknown
from infra.errors import CareliftError

ARM_ENDPOINT = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
DIAGNOSTIC_SETTINGS_API = "2021-05-01-preview"  # the first with categoryGroup (audit/allLogs); no GA since

# Child collections the catalog checks, by parent type; "x/default" is a singleton read by GET.
CHILDREN: dict[str, tuple[str, ...]] = {
    "microsoft.keyvault/vaults": ("keys", "secrets"),  # ARM returns secrets' attributes, never their values
    "microsoft.network/privateendpoints": ("privateDnsZoneGroups",),
    "microsoft.network/privatednszones": ("virtualNetworkLinks",),
    "microsoft.network/networkwatchers": ("flowLogs",),
    "microsoft.storage/storageaccounts": ("blobServices",),
    "microsoft.storage/storageaccounts/blobservices": ("containers",),
    "microsoft.storage/storageaccounts/blobservices/containers": ("immutabilityPolicies/default",),
    "microsoft.cognitiveservices/accounts": ("deployments", "raiPolicies"),
    "microsoft.sql/servers": ("auditingSettings", "azureADOnlyAuthentications"),
    "microsoft.sql/servers/databases": ("transparentDataEncryption",),
    # The AI gateway's products, their policies and who they are granted to (a product's groups list carries
    # each group's type, builtIn and externalId: CL-AI-024), and the service's groups.
    "microsoft.apimanagement/service": ("products", "groups"),
    "microsoft.apimanagement/service/products": ("groups", "policies"),
}

# Subscription-wide lists: (what, path under the scope, API version, extra query, scope).
# Pinned versions: these namespaces' newest stable versions do not all carry the fields checked.
SubscriptionList = tuple[str, str, str, dict[str, str], str]
SUBSCRIPTION_LISTS: tuple[SubscriptionList, ...] = (
    ("subscription diagnostic settings", "providers/Microsoft.Insights/diagnosticSettings", DIAGNOSTIC_SETTINGS_API,
     {}, "subscription"),
    ("locks", "providers/Microsoft.Authorization/locks", "2020-05-01", {}, "group"),
    ("policy assignments", "providers/Microsoft.Authorization/policyAssignments", "2023-04-01", {}, "subscription"),
    ("policy exemptions", "providers/Microsoft.Authorization/policyExemptions", "2022-07-01-preview", {},
     "subscription"),
    ("role assignments", "providers/Microsoft.Authorization/roleAssignments", "2022-04-01",
     {"$filter": "atScope()"}, "subscription"),
    ("Defender plans", "providers/Microsoft.Security/pricings", "2024-01-01", {}, "subscription"),
)
_QUIET = frozenset({400, 404, 405})  # diagnostic settings on a type that has none; a missing singleton
_STABLE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REASON_LENGTH = 300


class LiveReadError(CareliftError):
    """The subscription could not be read at all; the message says why and what to do."""


@dataclass(frozen=True)
class LiveSnapshot:
    subscription_id: str
    resource_group: str | None
    documents: tuple[dict[str, Any], ...]
    """ARM documents as GET returns them (plus "apiVersion"), sorted by id."""
    warnings: tuple[str, ...]
    """Reads that failed without stopping the audit, sorted."""


def read_subscription(subscription_id: str, resource_group: str | None = None, *,
                      credential: TokenCredential | None = None, base_url: str | None = None,
                      connection_verify: str | None = None, credential_scope: str = ARM_SCOPE,
                      retries: int = 4, backoff: float = 0.8, timeout: float = 60.0,
                      workers: int = 8) -> LiveSnapshot:
    """Read the subscription (or one resource group) with `credential` (DefaultAzureCredential by default).

    `base_url` and `credential_scope` change together for another cloud (e.g. Azure Government's
    https://management.usgovcloudapi.net and its "/.default" scope). `retries` bounds the SDK's
    retries of throttled (429), failed (5xx) and unanswered requests; `backoff` is its exponential
    backoff factor in seconds; `timeout` limits each request; `workers` read resources in parallel.
    """
    if connection_verify is False:
        raise ValueError("TLS verification stays on: give connection_verify a CA bundle path instead")
    owned = None
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = owned = DefaultAzureCredential()
    client = _client(credential, subscription_id, base_url or ARM_ENDPOINT, connection_verify, credential_scope,
                     retries, backoff, timeout)
    try:
        with client:
            return _Reader(client, subscription_id, resource_group, base_url or ARM_ENDPOINT, retries, timeout,
                           workers).read()
    finally:
        if owned is not None:
            owned.close()


def _client(credential: TokenCredential, subscription_id: str, base_url: str, connection_verify: str | None,
            scope: str, retries: int, backoff: float, timeout: float) -> ResourceManagementClient:
    options: dict[str, Any] = {"connection_timeout": timeout, "read_timeout": timeout}
    if connection_verify:
        options["connection_verify"] = str(connection_verify)
    retry = policies.RetryPolicy(retry_total=retries, retry_connect=retries, retry_read=retries,
                                 retry_status=retries, retry_backoff_factor=backoff, retry_backoff_max=30)
    # The generated client's policies, in its order, without ARMAutoResourceProviderRegistrationPolicy.
    pipeline = [policies.RequestIdPolicy(), policies.HeadersPolicy(), policies.UserAgentPolicy(sdk_moniker="carelift"),
                policies.ProxyPolicy(), policies.ContentDecodePolicy(), policies.RedirectPolicy(), retry,
                ARMChallengeAuthenticationPolicy(credential, scope), policies.NetworkTraceLoggingPolicy(),
                policies.DistributedTracingPolicy(), policies.SensitiveHeaderCleanupPolicy(), ARMHttpLoggingPolicy()]
    return ResourceManagementClient(credential, subscription_id, base_url=base_url, credential_scopes=[scope],
                                    policies=pipeline, **options)


class _Reader:
    def __init__(self, client: ResourceManagementClient, subscription: str, group: str | None, base_url: str,
                 retries: int, timeout: float, workers: int):
        self.client, self.subscription, self.group = client, subscription, group
        self.origin = urlsplit(base_url)[:2]
        self.retries, self.timeout, self.workers = retries, timeout, max(1, workers)
        self.scope = f"/subscriptions/{subscription}" + (f"/resourceGroups/{group}" if group else "")
        self.providers: dict[str, dict[str, list[str]]] = {}
        self.lock, self.providers_lock = threading.Lock(), threading.Lock()
        self.warnings: list[str] = []

    def read(self) -> LiveSnapshot:
        where = f"resource group {self.group} of subscription {self.subscription}" if self.group \
            else f"subscription {self.subscription}"
        listed = self._fatal_on_error(self._list_resources, f"list the resources of {where}")
        groups = self._fatal_on_error(self._resource_groups, f"read the resource groups of {where}")
        with ThreadPoolExecutor(self.workers) as pool:
            batches = list(pool.map(self._read_resource, listed)) + list(pool.map(self._subscription_list,
                                                                                  SUBSCRIPTION_LISTS))
        documents: dict[str, dict[str, Any]] = {}
        for document in [*groups, *(d for batch in batches for d in batch)]:
            key = str(document.get("id", "")).lower()
            if key not in documents or not isinstance(documents[key].get("properties"), dict):
                documents[key] = document  # a child both listed and read keeps its fuller copy
        for placement in self._inherited_placements(documents.values()):
            documents.setdefault(placement["id"].lower(), placement)
        return LiveSnapshot(self.subscription, self.group, tuple(documents[k] for k in sorted(documents)),
                            tuple(sorted(set(self.warnings))))

    def _inherited_placements(self, documents) -> list[dict[str, Any]]:
        """Placements under the management groups whose policy assignments the subscription inherits.

        Reading the hierarchy needs tenant-level rights a Reader on the subscription lacks, but
        the subscription's assignment list already includes the ones inherited from its
        ancestors: each such group is above the subscription, which is all the governance
        controls need to count an assignment there as covering it.
        """
        groups = set()
        for document in documents:
            properties = document.get("properties")
            scope = str(properties.get("scope") or "") if isinstance(properties, dict) else ""
            if str(document.get("type", "")).lower() == "microsoft.authorization/policyassignments" \
                    and scope.lower().startswith("/providers/microsoft.management/managementgroups/"):
                groups.add(scope)
        return [{"type": "Microsoft.Management/managementGroups/subscriptions", "name": self.subscription,
                 "id": f"{group}/subscriptions/{self.subscription}",
                 "properties": {"note": "inferred: the subscription inherits this group's policy assignments"}}
                for group in sorted(groups)]

    # --- listing

    def _list_resources(self) -> list[dict[str, Any]]:
        pager = self.client.resources.list_by_resource_group(self.group) if self.group else self.client.resources.list()
        return [item.as_dict() for item in pager]

    def _resource_groups(self) -> list[dict[str, Any]]:
        if self.group:
            return [self.client.resource_groups.get(self.group).as_dict()]
        return [group.as_dict() for group in self.client.resource_groups.list()]

    def _subscription_list(self, spec: SubscriptionList) -> list[dict[str, Any]]:
        what, path, version, query, scope = spec
        at_group = scope == "group" and self.group
        base = self.scope if at_group else f"/subscriptions/{self.subscription}"
        try:
            return self._collection(f"{base}/{path}", version, query)
        except AzureError as error:
            where = f"resource group {self.group}" if at_group else f"subscription {self.subscription}"
            self._warn(f"Could not read the {what} of {where} ({_reason(error)}); controls that need them will fail.")
            return []

    # --- one resource: GET, children, diagnostic settings

    def _read_resource(self, listed: dict[str, Any]) -> list[dict[str, Any]]:
        resource_id, arm_type = str(listed.get("id", "")), str(listed.get("type", ""))
        version = self._api_version(arm_type)
        if version is None:
            self._warn(f"No API version of {arm_type} could be found, so {resource_id} is audited from its listing "
                       "only and controls that read its properties report it `manual`.")
            document = _from_listing(listed, "no API version of its type could be found")
        else:
            try:
                document = self._get(resource_id, version)
            except ResourceNotFoundError:
                self._warn(f"{resource_id} disappeared while the subscription was read (404); it is not audited.")
                return []
            except AzureError as error:
                self._warn(f"Could not read {resource_id} ({_reason(error)}); it is audited from its listing only, "
                           "so controls that read its properties report it `manual`.")
                document = _from_listing(listed, f"it could not be read: {_reason(error)}")
        found = [document, *self._children(document, arm_type, version)]
        try:
            found += self._collection(f"{resource_id}/providers/Microsoft.Insights/diagnosticSettings",
                                      DIAGNOSTIC_SETTINGS_API, quiet=_QUIET)
        except AzureError as error:
            self._warn(f"Could not read the diagnostic settings of {resource_id} ({_reason(error)}).")
        return found

    def _children(self, parent: dict[str, Any], arm_type: str, parent_version: str | None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for segment in CHILDREN.get(arm_type.lower(), ()):
            child_type = f"{arm_type}/{segment.split('/')[0]}"
            version = self._api_version(child_type) or parent_version
            if version is None:
                continue
            path = f"{parent['id']}/{segment}"
            try:
                if "/" in segment:
                    children = self._single(path, version)
                else:
                    children = self._collection(path, version)
            except AzureError as error:
                self._warn(f"Could not read the {segment.split('/')[0]} of {parent['id']} ({_reason(error)}).")
                continue
            for child in children:
                found += [child, *self._children(child, str(child.get("type", child_type)), version)]
        return found

    # --- API versions

    def _api_version(self, arm_type: str) -> str | None:
        """Newest stable API version the provider lists for the type (newest preview if none is stable);
        a child type the provider does not list inherits its parent's."""
        namespace, _, rest = arm_type.partition("/")
        with self.providers_lock:  # one providers.get per namespace, even with several workers
            if namespace.lower() not in self.providers:
                self.providers[namespace.lower()] = self._provider_types(namespace)
            types = self.providers[namespace.lower()]
        versions = types.get(rest.lower())
        if versions:
            stable = [v for v in versions if _STABLE.match(v)]
            return max(stable or versions)
        return self._api_version(arm_type.rsplit("/", 1)[0]) if rest.count("/") else None

    def _provider_types(self, namespace: str) -> dict[str, list[str]]:
        try:
            provider = self.client.providers.get(namespace)
        except AzureError as error:
            self._warn(f"Could not read resource provider {namespace} ({_reason(error)}).")
            return {}
        return {str(t.resource_type).lower(): list(t.api_versions or []) for t in provider.resource_types or []}

    # --- HTTP

    def _get(self, resource_id: str, version: str) -> dict[str, Any]:
        document = self.client.resources.get_by_id(
            resource_id, api_version=version, cls=lambda response, deserialized, headers: response.http_response.json())
        return {**document, "apiVersion": version}

    def _single(self, path: str, version: str) -> list[dict[str, Any]]:
        response = self.client.send_request(HttpRequest("GET", path, params={"api-version": version}))
        if response.status_code in _QUIET:
            return []
        if response.status_code != 200:
            raise HttpResponseError(response=response)
        return [{**response.json(), "apiVersion": version}]

    def _collection(self, path: str, version: str, query: dict[str, str] | None = None,
                    quiet: Iterable[int] = ()) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following nextLink on the same host only."""
        items: list[dict[str, Any]] = []
        request: HttpRequest | None = HttpRequest("GET", path, params={"api-version": version, **(query or {})})
        while request is not None:
            response = self.client.send_request(request)
            if response.status_code in quiet:
                return []
            if response.status_code != 200:
                raise HttpResponseError(response=response)
            body = response.json()
            items += [{**item, "apiVersion": version} for item in body.get("value") or [] if isinstance(item, dict)]
            next_link = body.get("nextLink")
            request = None
            if next_link and urlsplit(next_link)[:2] == self.origin:
                request = HttpRequest("GET", next_link)
            elif next_link:  # never send the bearer token to another host
                self._warn(f"Ignored a nextLink of {path} pointing outside {self.origin[1]}; "
                           "later pages were not read.")
        return items

    # --- errors

    def _warn(self, message: str) -> None:
        with self.lock:
            self.warnings.append(message)

    def _fatal_on_error(self, read: Callable[[], list[dict[str, Any]]], doing: str) -> list[dict[str, Any]]:
        try:
            return read()
        except ClientAuthenticationError as error:
            if error.response is None:  # the credential itself could not get a token
                raise LiveReadError(f"No Azure credential could get a token to {doing}: sign in with `az login`, "
                                    "or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service "
                                    f"principal ({_first_line(error.message).rstrip('.')}).") from None
            raise LiveReadError(f"Azure Resource Manager rejected the credential (401 {_code(error)}) when asked to "
                                f"{doing}: sign in again (`az login`) or check the service principal's tenant and "
                                "secret.") from None
        except HttpResponseError as error:
            status = error.status_code
            if status == 403:
                target = f"resource group {self.group} of subscription {self.subscription}" if self.group \
                    else f"subscription {self.subscription}"
                action = doing.split(" of ")[0]
                raise LiveReadError(f"The credential lacks Reader on {target}: Azure refused to {action} "
                                    f"(403 {_code(error)}). Grant the identity the Reader role there.") from None
            if status == 404:
                raise LiveReadError(f"Azure Resource Manager found nothing when asked to {doing} (404 {_code(error)}: "
                                    f"{_message(error)}): check the subscription id and resource group name.") from None
            if status == 429:
                raise LiveReadError(f"Azure Resource Manager kept throttling (429) after {self.retries} retries when "
                                    f"asked to {doing}; try again later.") from None
            raise LiveReadError(f"Azure Resource Manager kept failing ({status} {_code(error)}) after "
                                f"{self.retries + 1} attempts when asked to {doing}: {_message(error)}") from None
        except (ServiceRequestTimeoutError, ServiceResponseTimeoutError):
            raise LiveReadError(f"Azure Resource Manager at {self.origin[1]} did not answer within {self.timeout:g} s "
                                f"({self.retries + 1} attempts) when asked to {doing}.") from None
        except ServiceRequestError as error:
            if _is_certificate_error(error):
                raise LiveReadError(f"The TLS certificate of {self.origin[1]} could not be verified, so nothing was "
                                    f"sent to {doing}: check the CA bundle (REQUESTS_CA_BUNDLE, or a proxy that "
                                    "intercepts TLS).") from None
            raise LiveReadError(f"Could not connect to Azure Resource Manager at {self.origin[1]} to {doing} "
                                f"({self.retries + 1} attempts): {_first_line(str(error))}") from None
        except AzureError as error:
            raise LiveReadError(f"Reading from Azure Resource Manager failed when asked to {doing}: "
                                f"{_first_line(str(error))}") from None


def _code(error: HttpResponseError) -> str:
    return getattr(error.error, "code", None) or error.reason or "error"


def _message(error: HttpResponseError) -> str:
    text = getattr(error.error, "message", None) or error.reason or ""
    return _first_line(text)


def _reason(error: AzureError) -> str:
    if isinstance(error, HttpResponseError) and error.status_code:
        return f"{error.status_code} {_code(error)}: {_message(error)}".rstrip(": ")
    if isinstance(error, (ServiceRequestTimeoutError, ServiceResponseTimeoutError)):
        return "no answer before the timeout"
    return _first_line(str(error)) or type(error).__name__


def _first_line(text: str) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= _REASON_LENGTH else line[:_REASON_LENGTH - 1] + "…"


def _is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _ in range(8):  # the SSL error sits a few causes deep (requests -> urllib3 -> ssl)
        if seen is None:
            break
        if "CERTIFICATE_VERIFY_FAILED" in str(seen) or type(seen).__name__ in ("SSLError", "SSLCertVerificationError"):
            return True
        seen = getattr(seen, "inner_exception", None) or seen.__cause__ or seen.__context__
    return False


def _from_listing(listed: dict[str, Any], reason: str) -> dict[str, Any]:
    """A listed resource whose GET failed: its properties are unknown (a listing leaves them out), not absent."""
    if isinstance(listed.get("properties"), dict):
        return listed
    return {**listed, "properties": Unknown("(not read)", "properties", f"was not read ({reason})")}
