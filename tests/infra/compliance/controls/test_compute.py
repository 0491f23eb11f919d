"""VM and disk controls: encryption at host, customer-managed keys, no public disk export."""

from __future__ import annotations

from infra.compliance.controls import compute
from infra.compliance.model import Status, Unknown
from tests.infra.compliance.arm import controls_of, messages, rendered_statuses, resource, statuses

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


def vm(name: str, *, os_des: str | None = None, data_des: list[str | None] = (), **properties) -> dict:
    """A VM whose OS and data disks are managed disks, each with a disk encryption set when one is given."""
    def managed(des: str | None) -> dict:
        return {"storageAccountType": "Premium_LRS", **({"diskEncryptionSet": {"id": des}} if des else {})}

    storage = {"osDisk": {"name": f"{name}-os", "createOption": "FromImage", "managedDisk": managed(os_des)},
               "dataDisks": [{"lun": i, "name": f"{name}-data{i}", "managedDisk": managed(d)}
                             for i, d in enumerate(data_des)]}
    return resource(VM, name, {"storageProfile": storage, **properties})


class TestVmDisksEncrypted:
    def test_pass_with_encryption_sets_on_every_disk_or_at_host(self):
        documents = [vm("vm-cmk", os_des=DES, data_des=[DES]),
                     vm("vm-host", securityProfile={"encryptionAtHost": "true"})]
        assert messages(compute.vm_disks_encrypted, documents) == [
            "Virtual machine 'vm-cmk' encrypts all 2 managed disk(s) with a customer-managed key through a disk "
            "encryption set.",
            "Virtual machine 'vm-host' encrypts its disks, temp disk and caches at the host."]

    def test_attached_disk_resource_with_cmk_counts(self):
        attached = disk("disk-data", encryption={"type": "encryptionatrestwithcustomerkey", "diskEncryptionSetId": DES})
        machine = vm("vm-attached", os_des=DES)
        machine["properties"]["storageProfile"]["dataDisks"] = [
            {"lun": 0, "name": "disk-data", "createOption": "Attach", "managedDisk": {"id": attached["id"]}}]
        assert statuses(compute.vm_disks_encrypted, [machine, attached]) == {"vm-attached": Status.PASS}

    def test_fail_when_a_disk_has_platform_keys_and_no_host_encryption(self):
        documents = [vm("vm-mixed", os_des=DES, data_des=[None]), resource(VM, "vm-bare")]
        assert messages(compute.vm_disks_encrypted, documents) == [
            "Virtual machine 'vm-bare' declares no managed disk with a disk encryption set and does not encrypt at "
            "host.",
            "Virtual machine 'vm-mixed' does not encrypt at host and data disk 'vm-mixed-data0' use(s) "
            "platform-managed keys only (no disk encryption set)."]

    def test_a_data_disk_without_a_managed_disk_block_on_a_managed_vm_counts(self):
        """Quickstart templates declare data disks as {lun, createOption: Empty}: managed, with platform keys."""
        machine = vm("vm-quickstart", os_des=DES)
        machine["properties"]["storageProfile"]["dataDisks"] = [{"lun": 0, "createOption": "Empty", "diskSizeGB": 1023}]
        assert messages(compute.vm_disks_encrypted, [machine]) == [
            "Virtual machine 'vm-quickstart' does not encrypt at host and the data disk at LUN 0 use(s) platform-managed "
            "keys only (no disk encryption set)."]

    def test_a_disk_name_given_as_an_expression_only_labels_the_message(self):
        machine = vm("vm-named", os_des=None)
        machine["properties"]["storageProfile"]["osDisk"]["name"] = Unknown("[concat(parameters('vm'), 'OsDisk')]",
                                                                            "properties.storageProfile.osDisk.name")
        assert statuses(compute.vm_disks_encrypted, [machine]) == {"vm-named": Status.FAIL}
        assert messages(compute.vm_disks_encrypted, [machine]) == [
            "Virtual machine 'vm-named' does not encrypt at host and OS disk '[concat(parameters('vm'), 'OsDisk')]' "
            "use(s) platform-managed keys only (no disk encryption set)."]

    def test_empty(self):
        assert statuses(compute.vm_disks_encrypted, []) == {}


class TestBootDiagnosticsManaged:
    def test_pass_with_managed_storage(self):
        machine = vm("vm-diag", diagnosticsProfile={"bootDiagnostics": {"enabled": True}})
        assert messages(compute.boot_diagnostics_managed, [machine]) == [
            "Virtual machine 'vm-diag' keeps boot diagnostics in an Azure-managed storage account."]

    def test_fail_when_off_or_in_a_customer_account(self):
        documents = [vm("vm-off", diagnosticsProfile={"bootDiagnostics": {"enabled": False}}), vm("vm-unset"),
                     vm("vm-own", diagnosticsProfile={"bootDiagnostics": {
                         "enabled": True, "storageUri": "https://stdiag.blob.core.windows.net/"}})]
        assert statuses(compute.boot_diagnostics_managed, documents) == {
            "vm-off": Status.FAIL, "vm-unset": Status.FAIL, "vm-own": Status.FAIL}
        assert messages(compute.boot_diagnostics_managed, documents[2:]) == [
            "Virtual machine 'vm-own' writes boot diagnostics to customer storage account "
            "https://stdiag.blob.core.windows.net/, where console screenshots and serial logs need that account's own "
            "access controls; use the managed account instead."]

    def test_a_storage_uri_computed_at_deployment_still_names_a_customer_account(self):
        """Whatever the expression evaluates to, a storageUri means a customer account: fail, not manual."""
        uri = Unknown("[reference(resourceId('Microsoft.Storage/storageAccounts', 'stdiag')).primaryEndpoints.blob]",
                      "properties.diagnosticsProfile.bootDiagnostics.storageUri")
        machine = vm("vm-ref", diagnosticsProfile={"bootDiagnostics": {"enabled": True, "storageUri": uri}})
        assert statuses(compute.boot_diagnostics_managed, [machine]) == {"vm-ref": Status.FAIL}

    def test_empty(self):
        assert statuses(compute.boot_diagnostics_managed, []) == {}


EXTENSION = "Microsoft.Compute/virtualMachines/extensions"


class TestMonitorAgent:
    def test_pass_with_the_windows_or_linux_agent(self):
        win, lin = vm("vm-win"), vm("vm-lin")
        documents = [win, lin,
                     resource(EXTENSION, "vm-win/AzureMonitorWindowsAgent",
                              {"publisher": "Microsoft.Azure.Monitor", "type": "AzureMonitorWindowsAgent"}),
                     resource(EXTENSION, "vm-lin/ama", {"publisher": "microsoft.azure.monitor",
                                                        "type": "azuremonitorlinuxagent"})]
        assert messages(compute.monitor_agent, documents) == [
            "Virtual machine 'vm-lin' runs the Azure Monitor agent (extension 'ama', AzureMonitorLinuxAgent).",
            "Virtual machine 'vm-win' runs the Azure Monitor agent (extension 'AzureMonitorWindowsAgent', "
            "AzureMonitorWindowsAgent)."]

    def test_fail_without_the_agent_or_with_the_legacy_one(self):
        legacy = vm("vm-mma")
        documents = [legacy, vm("vm-none"),
                     resource(EXTENSION, "vm-mma/MicrosoftMonitoringAgent",
                              {"publisher": "Microsoft.EnterpriseCloud.Monitoring", "type": "MicrosoftMonitoringAgent"})]
        assert statuses(compute.monitor_agent, documents) == {"vm-mma": Status.FAIL, "vm-none": Status.FAIL}

    def test_empty(self):
        assert statuses(compute.monitor_agent, []) == {}


def test_rendered_stacks_have_nothing_to_judge(rendering):
    """The landing zone's own resources, translated to ARM, give these controls nothing to judge."""
    # carelift creates no VMs or disks yet: the controls judge nothing rather than something spurious.
    assert rendered_statuses(rendering, controls_of(compute)) == {}
