"""VM and disk controls: encryption at host, customer-managed keys, no public disk export."""

from __future__ import annotations

from infra.compliance.controls import compute
from infra.compliance.model import Status
from tests.infra.compliance.arm import messages, rendered_statuses, resource, statuses

VM = "Microsoft.Compute/virtualMachines"
DISK = "Microsoft.Compute/disks"
DES = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des-cmk"


class TestEncryptionAtHost:
    def test_pass(self):
        vm = resource(VM, "vm-ehr", {"securityProfile": {"encryptionAtHost": True}})
        assert statuses(compute.encryption_at_host, [vm]) == {"vm-ehr": Status.PASS}

    def test_fail_when_false_or_absent(self):
        documents = [resource(VM, "vm-off", {"securityProfile": {"encryptionAtHost": False}}), resource(VM, "vm-bare")]
        assert statuses(compute.encryption_at_host, documents) == {"vm-off": Status.FAIL, "vm-bare": Status.FAIL}
        assert messages(compute.encryption_at_host, documents[1:]) == [
            "Virtual machine 'vm-bare' does not encrypt at host, so its temp disk and disk caches may hold ePHI "
            "unencrypted."]

    def test_empty(self):
        assert statuses(compute.encryption_at_host, []) == {}


def disk(name: str, **properties) -> dict:
    return resource(DISK, name, properties)


class TestDiskCustomerKey:
    def test_pass_with_either_cmk_type(self):
        documents = [disk("d-cmk", encryption={"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": DES}),
                     disk("d-double", encryption={"type": "EncryptionAtRestWithPlatformAndCustomerKeys",
                                                  "diskEncryptionSetId": DES})]
        assert statuses(compute.disk_customer_key, documents) == {"d-cmk": Status.PASS, "d-double": Status.PASS}

    def test_fail_with_platform_key_missing_set_or_unset(self):
        documents = [disk("d-pmk", encryption={"type": "EncryptionAtRestWithPlatformKey"}),
                     disk("d-no-set", encryption={"type": "EncryptionAtRestWithCustomerKey"}), disk("d-bare")]
        assert statuses(compute.disk_customer_key, documents) == {
            "d-pmk": Status.FAIL, "d-no-set": Status.FAIL, "d-bare": Status.FAIL}
        assert messages(compute.disk_customer_key, documents[:1]) == [
            "Managed disk 'd-pmk' is encrypted with EncryptionAtRestWithPlatformKey, not a customer-managed key."]

    def test_empty(self):
        assert statuses(compute.disk_customer_key, []) == {}


class TestDiskNetworkAccess:
    def test_pass_deny_all_or_private_with_disk_access(self):
        documents = [disk("d-deny", networkAccessPolicy="DenyAll"),
                     disk("d-private", networkAccessPolicy="AllowPrivate", diskAccessId="/diskAccesses/da")]
        assert statuses(compute.disk_network_access, documents) == {"d-deny": Status.PASS, "d-private": Status.PASS}

    def test_fail_allow_all_private_without_access_or_unset(self):
        documents = [disk("d-all", networkAccessPolicy="AllowAll"), disk("d-private", networkAccessPolicy="AllowPrivate"),
                     disk("d-bare")]
        assert statuses(compute.disk_network_access, documents) == {
            "d-all": Status.FAIL, "d-private": Status.FAIL, "d-bare": Status.FAIL}
        assert messages(compute.disk_network_access, documents[:1]) == [
            "Managed disk 'd-all' has networkAccessPolicy AllowAll, so a SAS export of the disk can be downloaded "
            "from any network."]

    def test_empty(self):
        assert statuses(compute.disk_network_access, []) == {}


def test_rendered_stacks_have_nothing_to_judge(rendering):
    """The landing zone's own resources, translated to ARM, give these controls nothing to judge."""
    # carelift creates no VMs or disks yet: the controls judge nothing rather than something spurious.
    assert rendered_statuses(rendering, compute.CONTROLS) == {}
