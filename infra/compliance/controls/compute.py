"""Virtual machines and managed disks: encryption at host, customer-managed keys, no public export.

carelift does not create VMs yet; these controls judge the servers migrations land.
"""

from __future__ import annotations

from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get
from infra.compliance.model import Document, Outcome, control, failed, passed

VMS = ("Microsoft.Compute/virtualMachines",)
DISKS = ("Microsoft.Compute/disks",)
CMK_ENCRYPTION = ("EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys")


@control(
    id="CL-VM-001", title="Virtual machines encrypt at host", severity="medium",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"),
    types=VMS, policy=("fc4d8e41-e223-45ea-9bf5-eada37891d87",),
    remediation="Set properties.securityProfile.encryptionAtHost to true (register the EncryptionAtHost feature "
                "on the subscription first).",
)
def encryption_at_host(vm: Document, index: ResourceIndex) -> Outcome:
    """Temp disks and disk caches, which server-side encryption misses, are encrypted too."""
    if get(vm, "properties.securityProfile.encryptionAtHost") is True:
        return passed(sentence(vm, "encrypts its temp disk and caches at the host"))
    return failed(sentence(vm, "does not encrypt at host, so its temp disk and disk caches may hold ePHI "
                               "unencrypted"))


@control(
    id="CL-DISK-001", title="Managed disks are encrypted with a customer-managed key", severity="medium",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"),
    types=DISKS, policy=("d461a302-a187-421a-89ac-84acdb4edc04",), checkov=("CKV_AZURE_93",),
    remediation="Set properties.encryption.type to EncryptionAtRestWithCustomerKey (or ...WithPlatformAndCustomerKeys) "
                "with a diskEncryptionSetId whose key lives in the landing zone's Key Vault.",
)
def disk_customer_key(disk: Document, index: ResourceIndex) -> Outcome:
    """The organisation, not only Microsoft, controls the key: revoking it makes the disk unreadable."""
    kind = get(disk, "properties.encryption.type")
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
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.310(d)(1)"),
    types=DISKS, policy=("8405fdab-1faf-48aa-b702-999c9c172094",),
    remediation="Set properties.networkAccessPolicy to DenyAll (or AllowPrivate with a diskAccessId, for exports "
                "through a private endpoint only).",
)
def disk_network_access(disk: Document, index: ResourceIndex) -> Outcome:
    """A SAS export of a disk full of ePHI cannot be downloaded from the internet."""
    policy = get(disk, "properties.networkAccessPolicy")
    if policy == "DenyAll":
        return passed(sentence(disk, "denies all export and import access (networkAccessPolicy DenyAll)"))
    if policy == "AllowPrivate" and get(disk, "properties.diskAccessId"):
        return passed(sentence(disk, "allows export only through a private endpoint (networkAccessPolicy "
                                     "AllowPrivate with a disk access resource)"))
    if policy == "AllowPrivate":
        return failed(sentence(disk, "has networkAccessPolicy AllowPrivate but no disk access resource"))
    return failed(sentence(disk, f"has networkAccessPolicy {policy or 'unset'}, so a SAS export of the disk can be "
                                 "downloaded from any network"))


CONTROLS = (encryption_at_host, disk_customer_key, disk_network_access)
