"""Virtual machines and managed disks: encryption at host, customer-managed keys, no public export,
managed boot diagnostics and the Azure Monitor agent.

carelift does not create VMs yet; these controls judge the servers migrations land (the planner
rehosts servers as Azure VMs).
"""

from __future__ import annotations

from infra.compliance.controls.values import boolean, canonical, peek, same, spelled
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries
from infra.compliance.model import Document, Outcome, failed, is_unknown, passed
from infra.compliance.registry import control

VMS = ("Microsoft.Compute/virtualMachines",)
DISKS = ("Microsoft.Compute/disks",)
CMK_ENCRYPTION = ("EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys")


@control(
    id="CL-VM-001", title="Virtual machines encrypt at host", severity="medium", scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"),
    types=VMS, policy=("fc4d8e41-e223-45ea-9bf5-eada37891d87",),
    remediation="Set properties.securityProfile.encryptionAtHost to true (register the EncryptionAtHost feature "
                "on the subscription first).",
)
def encryption_at_host(vm: Document, index: ResourceIndex) -> Outcome:
    """Temp disks and disk caches, which server-side encryption misses, are encrypted too."""
    if boolean(get(vm, "properties.securityProfile.encryptionAtHost")) is True:
        return passed(sentence(vm, "encrypts its temp disk and caches at the host"))
    return failed(sentence(vm, "does not encrypt at host, so its temp disk and disk caches may hold ePHI "
                               "unencrypted"))


@control(
    id="CL-DISK-001", title="Managed disks are encrypted with a customer-managed key", severity="medium",
    scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"),
    types=DISKS, policy=("d461a302-a187-421a-89ac-84acdb4edc04",), checkov=("CKV_AZURE_93",),
    remediation="Set properties.encryption.type to EncryptionAtRestWithCustomerKey (or ...WithPlatformAndCustomerKeys) "
                "with a diskEncryptionSetId whose key lives in the landing zone's Key Vault.",
)
def disk_customer_key(disk: Document, index: ResourceIndex) -> Outcome:
    """The organisation, not only Microsoft, controls the key: revoking it makes the disk unreadable."""
    kind = canonical(get(disk, "properties.encryption.type"), CMK_ENCRYPTION) or get(disk, "properties.encryption.type")
    encryption_set = get(disk, "properties.encryption.diskEncryptionSetId")
    if kind in CMK_ENCRYPTION and encryption_set:
        return passed(sentence(disk, f"is encrypted with a customer-managed key through disk encryption set "
                                     f"'{str(encryption_set).rsplit('/', 1)[-1]}'"))
    if kind in CMK_ENCRYPTION:
        return failed(sentence(disk, f"asks for {kind} but names no disk encryption set"))
    return failed(sentence(disk, f"is encrypted with {kind or 'platform-managed keys (encryption type unset)'}, "
                                 "not a customer-managed key"))


@control(
    id="CL-DISK-002", title="Managed disks cannot be exported over public networks", severity="high",
    scope="resource",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.310(d)(1)"),
    types=DISKS, policy=("8405fdab-1faf-48aa-b702-999c9c172094",),
    remediation="Set properties.networkAccessPolicy to DenyAll (or AllowPrivate with a diskAccessId, for exports "
                "through a private endpoint only).",
)
def disk_network_access(disk: Document, index: ResourceIndex) -> Outcome:
    """A SAS export of a disk full of ePHI cannot be downloaded from the internet."""
    policy = get(disk, "properties.networkAccessPolicy")
    if same(policy, "DenyAll"):
        return passed(sentence(disk, "denies all export and import access (networkAccessPolicy DenyAll)"))
    if same(policy, "AllowPrivate") and get(disk, "properties.diskAccessId"):
        return passed(sentence(disk, "allows export only through a private endpoint (networkAccessPolicy "
                                     "AllowPrivate with a disk access resource)"))
    if same(policy, "AllowPrivate"):
        return failed(sentence(disk, "has networkAccessPolicy AllowPrivate but no disk access resource"))
    return failed(sentence(disk, f"has networkAccessPolicy {policy or 'unset'}, so a SAS export of the disk can be "
                                 "downloaded from any network"))


def _vm_disks(vm: Document) -> list[tuple[str, dict]]:
    """(disk label, managedDisk block) for the OS disk and every data disk that is a managed disk."""
    found = []
    os_disk = get(vm, "properties.storageProfile.osDisk") or {}
    if isinstance(os_disk, dict) and isinstance(os_disk.get("managedDisk"), dict):
        # Names only label the message: spelled() shows an expression without counting it as used.
        name = os_disk.get("name")
        found.append((f"OS disk '{spelled(name)}'" if name is not None else "the OS disk", os_disk["managedDisk"]))
    managed_vm = bool(found)
    for data_disk in get_entries(vm, "properties.storageProfile.dataDisks"):
        if not isinstance(data_disk, dict) or data_disk.get("vhd") is not None:
            continue  # an unmanaged (VHD blob) disk is outside this control
        # A data disk without a managedDisk block on a managed VM is a managed disk with default settings.
        if isinstance(data_disk.get("managedDisk"), dict) or managed_vm:
            managed = data_disk.get("managedDisk") if isinstance(data_disk.get("managedDisk"), dict) else {}
            label = (f"data disk '{spelled(data_disk['name'])}'" if data_disk.get("name") is not None
                     else f"the data disk at LUN {spelled(data_disk.get('lun'))}")
            found.append((label, managed))
    return found


def _customer_keyed(managed_disk: dict, index: ResourceIndex) -> bool:
    """The disk names a disk encryption set, inline or on the Microsoft.Compute/disks resource it attaches."""
    if get(managed_disk, "diskEncryptionSet.id"):
        return True
    attached = index.by_id(managed_disk.get("id"))
    return attached is not None and bool(get(attached, "properties.encryption.diskEncryptionSetId")) \
        and canonical(get(attached, "properties.encryption.type"), CMK_ENCRYPTION) is not None


@control(
    id="CL-VM-002", title="VM disks are encrypted with a customer-managed key or at the host", severity="high",
    scope="graph",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"),
    types=VMS, policy=("702dd420-7fcc-42c5-afe8-4026edd20fe0", "3dc5edcd-002d-444c-b216-e123bbfa37c0",
                       "ca88aadc-6e2b-416c-9de2-5a0f01d1693f"),
    checkov=("CKV_AZURE_151",),
    remediation="Give every managed disk a managedDisk.diskEncryptionSet.id whose key lives in the landing zone's "
                "Key Vault, or set securityProfile.encryptionAtHost to true.",
    description="Passes when every managed disk names a disk encryption set (customer-managed key) or when the VM "
                "encrypts at the host; Checkov's CKV_AZURE_151 accepts only encryption at host.",
)
def vm_disks_encrypted(vm: Document, index: ResourceIndex) -> Outcome:
    """A disk copied out of the datacenter or snapshotted by mistake is unreadable without the organisation's key."""
    disks = _vm_disks(vm)
    plain = [label for label, managed in disks if not _customer_keyed(managed, index)]
    if disks and not plain:
        return passed(sentence(vm, f"encrypts all {len(disks)} managed disk(s) with a customer-managed key through a "
                                   "disk encryption set"))
    if boolean(get(vm, "properties.securityProfile.encryptionAtHost")) is True:
        return passed(sentence(vm, "encrypts its disks, temp disk and caches at the host"))
    if not disks:
        return failed(sentence(vm, "declares no managed disk with a disk encryption set and does not encrypt at "
                                   "host"))
    return failed(sentence(vm, f"does not encrypt at host and {', '.join(plain)} use(s) platform-managed keys only "
                               "(no disk encryption set)"))


@control(
    id="CL-VM-003", title="Boot diagnostics are on and use a managed storage account", severity="low",
    scope="resource",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(6)"),
    types=VMS, policy=("fb97d6e1-5c98-4743-a439-23e0977bad9e",),
    remediation="Set diagnosticsProfile.bootDiagnostics.enabled to true and leave storageUri unset, so Azure keeps "
                "the screenshots and serial log in a managed account no one else can open.",
)
def boot_diagnostics_managed(vm: Document, index: ResourceIndex) -> Outcome:
    """An unbootable server can be investigated, and its console output is not left in a shared storage account."""
    enabled = boolean(get(vm, "properties.diagnosticsProfile.bootDiagnostics.enabled"))
    uri = peek(vm, "properties.diagnosticsProfile.bootDiagnostics.storageUri")
    if enabled is not True:
        return failed(sentence(vm, "does not enable boot diagnostics, so a server that fails to start cannot be "
                                   "investigated from its console output"))
    # Any storageUri, even one computed at deployment, names a customer account: no need to evaluate it.
    if uri is not None and (is_unknown(uri) or str(uri).strip()):
        return failed(sentence(vm, f"writes boot diagnostics to customer storage account {spelled(uri)}, where "
                                   "console screenshots and serial logs need that account's own access controls; use "
                                   "the managed account instead"))
    return passed(sentence(vm, "keeps boot diagnostics in an Azure-managed storage account"))


EXTENSION_TYPE = "Microsoft.Compute/virtualMachines/extensions"
MONITOR_AGENTS = ("AzureMonitorWindowsAgent", "AzureMonitorLinuxAgent")
MONITOR_PUBLISHER = "Microsoft.Azure.Monitor"


@control(
    id="CL-VM-004", title="Virtual machines run the Azure Monitor agent", severity="medium", scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)", "45 CFR 164.308(a)(5)(ii)(B)"),
    types=VMS, policy=("c02729e5-e5e7-4458-97fa-2b5ad0661f28", "1afdc4b6-581a-45fb-b630-f1e6051e3e7a",
                       "4da35fc9-c9e7-4960-aec9-797fe7d9051d"),
    remediation="Add the AzureMonitorWindowsAgent or AzureMonitorLinuxAgent extension (publisher "
                "Microsoft.Azure.Monitor) with a data collection rule association; the subscription's Defender for "
                "Servers plan (CL-GOV-007) uses the same agent data.",
)
def monitor_agent(vm: Document, index: ResourceIndex) -> Outcome:
    """Sign-ins, security events and process activity on the server reach the audit trail and Defender."""
    for extension in index.children(vm["id"], EXTENSION_TYPE):
        kind = canonical(get(extension, "properties.type"), MONITOR_AGENTS)
        if kind and same(get(extension, "properties.publisher"), MONITOR_PUBLISHER):
            return passed(sentence(vm, f"runs the Azure Monitor agent (extension '{extension.get('name')}', {kind})"))
    return failed(sentence(vm, "has no Azure Monitor agent extension, so its security events and logs do not reach "
                               "Log Analytics or Defender for Servers"))
