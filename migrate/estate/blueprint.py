"""The fictional Riverbend Health estate the generator draws from: systems, server roles, links.

Counts are per environment for a 400-server estate and scale with the requested size (a role
never drops below its `minimum`). Names, addresses and datacenters agree with the landing-zone
stacks: domain riverbend.local, domain controllers at 10.1.0.10/11, on-premises 10.0.0.0/12
(servers) and 172.20.0.0/16 (medical devices, printers).
"""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "riverbend.local"
BASE_SIZE = 400


@dataclass(frozen=True)
class OperatingSystem:
    config: str
    """vSphere guest OS ("OS according to the configuration file")."""
    tools: str
    """What VMware Tools reports (empty for appliances without Tools)."""
    family: str
    azure_name: str
    """The OS name an Azure Migrate import CSV carries."""
    version: str


OS = {
    "w2008r2": OperatingSystem("Microsoft Windows Server 2008 R2 (64-bit)", "Microsoft Windows Server 2008 R2 (64-bit)",
                               "windows", "Microsoft Windows Server 2008 R2 Enterprise", "6.1.7601"),
    "w2012r2": OperatingSystem("Microsoft Windows Server 2012 (64-bit)", "Microsoft Windows Server 2012 R2 Standard",
                               "windows", "Microsoft Windows Server 2012 R2 Standard", "6.3.9600"),
    "w2016": OperatingSystem("Microsoft Windows Server 2016 or later (64-bit)",
                             "Microsoft Windows Server 2016 Standard", "windows",
                             "Microsoft Windows Server 2016 Standard", "10.0.14393"),
    "w2019": OperatingSystem("Microsoft Windows Server 2019 (64-bit)", "Microsoft Windows Server 2019 Datacenter",
                             "windows", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"),
    "w2022": OperatingSystem("Microsoft Windows Server 2022 (64-bit)", "Microsoft Windows Server 2022 Datacenter",
                             "windows", "Microsoft Windows Server 2022 Datacenter", "10.0.20348"),
    "rhel6": OperatingSystem("Red Hat Enterprise Linux 6 (64-bit)",
                             "Red Hat Enterprise Linux Server release 6.10 (Santiago)", "linux",
                             "Red Hat Enterprise Linux 6", "6.10"),
    "rhel7": OperatingSystem("Red Hat Enterprise Linux 7 (64-bit)",
                             "Red Hat Enterprise Linux Server release 7.9 (Maipo)", "linux",
                             "Red Hat Enterprise Linux 7", "7.9"),
    "rhel8": OperatingSystem("Red Hat Enterprise Linux 8 (64-bit)", "Red Hat Enterprise Linux release 8.8 (Ootpa)",
                             "linux", "Red Hat Enterprise Linux 8", "8.8"),
    "rhel9": OperatingSystem("Red Hat Enterprise Linux 9 (64-bit)", "Red Hat Enterprise Linux release 9.2 (Plow)",
                             "linux", "Red Hat Enterprise Linux 9", "9.2"),
    "centos7": OperatingSystem("CentOS 7 (64-bit)", "CentOS Linux release 7.9.2009 (Core)", "linux", "CentOS 7",
                               "7.9"),
    "ubuntu1804": OperatingSystem("Ubuntu Linux (64-bit)", "Ubuntu 18.04.6 LTS", "linux", "Ubuntu 18.04", "18.04"),
    "ubuntu2004": OperatingSystem("Ubuntu Linux (64-bit)", "Ubuntu 20.04.6 LTS", "linux", "Ubuntu 20.04", "20.04"),
    "sles12": OperatingSystem("SUSE Linux Enterprise 12 (64-bit)", "SUSE Linux Enterprise Server 12 SP5", "linux",
                              "SUSE Linux Enterprise Server 12", "12.5"),
    "appliance": OperatingSystem("Other 3.x or later Linux (64-bit)", "", "other", "Other", ""),
    "photon": OperatingSystem("VMware Photon OS (64-bit)", "VMware Photon OS 3.0", "linux", "Other", "3.0"),
}

# Weighted OS choices shared by many roles.
WIN_LEGACY = (("w2008r2", 2), ("w2012r2", 5), ("w2016", 2))
WIN_MIXED = (("w2012r2", 3), ("w2016", 4), ("w2019", 3), ("w2022", 1))
WIN_CURRENT = (("w2016", 2), ("w2019", 5), ("w2022", 2))
LINUX_MIXED = (("rhel6", 1), ("rhel7", 5), ("rhel8", 3), ("centos7", 2), ("ubuntu1804", 1), ("ubuntu2004", 1),
               ("sles12", 1))


@dataclass(frozen=True)
class Segment:
    port_group: str
    network: tuple[int, int]
    """First two octets of its /16 (10.x); hosts are numbered from .10 of the first /24."""
    start: int = 0
    """First third octet used."""


SEGMENTS = {
    "identity": Segment("VLAN100-Identity", (10, 1)),
    "infra": Segment("VLAN110-Infrastructure", (10, 1), start=10),
    "clinical": Segment("VLAN200-Clinical", (10, 2)),
    "imaging": Segment("VLAN210-Imaging", (10, 3)),
    "integration": Segment("VLAN220-Integration", (10, 4)),
    "database": Segment("VLAN300-Database", (10, 5)),
    "vdi": Segment("VLAN400-VDI", (10, 6)),
    "business": Segment("VLAN500-Business", (10, 7)),
    "devtest": Segment("VLAN600-DevTest", (10, 10)),
    "dmz": Segment("VLAN700-DMZ", (10, 11)),
    "dr": Segment("VLAN800-DR", (10, 12)),
}

DEVICE_NETWORKS = {
    # external (never inventoried) endpoints on the medical-device network
    "modality": (172, 20, 10), "analyzer": (172, 20, 20), "printer": (172, 20, 30), "cabinet": (172, 20, 40),
    "monitor": (172, 20, 50),
}
EXTERNAL = {
    # partners reached over the VPN/internet (documentation address ranges)
    "reference-lab": "203.0.113.25", "hie": "198.51.100.40", "eprescribing": "203.0.113.80",
    "payer-sftp": "203.0.113.120",
}


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    """Server name pattern: {env} and {n} are filled in."""
    application: str
    app_type: str
    counts: tuple[tuple[str, int], ...]
    """(environment, servers at 400) — environments from the model (prd, tst, dev, trn, rel, poc, dr)."""
    os: tuple[tuple[str, int], ...]
    cpus: tuple[int, ...]
    memory_gb: tuple[int, ...]
    disks_gb: tuple[tuple[int, ...], ...]
    """Per disk, the sizes to choose from; the first disk is the system disk."""
    segment: str
    tier: int
    classification: str
    owner: str
    business_unit: str
    minimum: int = 0
    """Servers kept in the production environment however small the estate."""
    platform: str = "vmware"
    """vmware (RVTools), physical or hyperv (Azure Migrate import CSV)."""
    physical_envs: tuple[str, ...] = ()
    """Environments of this role that run on physical servers although the role is virtual elsewhere."""
    cluster: str = "CL-GEN-01"
    process: str = ""
    """Main client process (what the role runs when it connects out)."""
    database: bool = False
    """Backed up by agent and sized as a database server."""
    shared_disks: bool = False
    """Clustered: its data disks are multi-writer/RDM shared disks."""
    powered_off: float = 0.0
    """Probability that one of its VMs is powered off."""


def _r(key, name, application, app_type, counts, os, cpus, memory_gb, disks_gb, segment, tier, classification, owner,
       business_unit, **options) -> Role:
    return Role(key, name, application, app_type, tuple(counts.items()), os, cpus, memory_gb, disks_gb, segment, tier,
                classification, owner, business_unit, **options)


INFRA, CLIN, BIZ = "IT Infrastructure", "Clinical Applications", "Business Applications"
SYS_DISK = (80, 100, 120)
SQL_DISKS = (SYS_DISK, (200, 300, 500), (100, 200), (50, 100))
NON_PROD = ("tst", "dev", "trn", "rel", "poc")

ROLES: tuple[Role, ...] = (
    # --- identity, infrastructure, shared services
    _r("dc", "rbh-dc{n:02d}", "Active Directory", "identity", {"prd": 4}, (("w2016", 1), ("w2019", 1)), (4,), (8, 16),
       (SYS_DISK, (40,)), "identity", 1, "internal", "Infrastructure - Identity", INFRA, minimum=2, process="lsass.exe"),
    _r("adfs", "rbh-adfs{n:02d}", "Active Directory", "identity", {"prd": 2}, (("w2016", 1),), (4,), (8,),
       (SYS_DISK,), "identity", 1, "internal", "Infrastructure - Identity", INFRA),
    _r("pki", "rbh-ca{n:02d}", "PKI", "identity", {"prd": 1}, (("w2012r2", 1),), (2,), (4,), (SYS_DISK,), "identity",
       2, "internal", "Infrastructure - Identity", INFRA),
    _r("nps", "rbh-nps{n:02d}", "Network Access", "identity", {"prd": 2}, (("w2016", 1),), (2,), (8,), (SYS_DISK,),
       "identity", 2, "internal", "Infrastructure - Network", INFRA),
    _r("scom", "rbh-scom{n:02d}", "Monitoring", "other", {"prd": 2}, (("w2019", 1),), (8,), (16, 32),
       (SYS_DISK, (100,)), "infra", 2, "internal", "Infrastructure - Operations", INFRA, minimum=1,
       process="HealthService.exe"),
    _r("scomdb", "rbh-scomsql{n:02d}", "Monitoring", "other", {"prd": 1}, (("w2019", 1),), (8,), (32,), SQL_DISKS,
       "database", 2, "internal", "Infrastructure - Operations", INFRA, database=True, process="sqlservr.exe"),
    _r("zabbix", "rbh-zbx{n:02d}", "Monitoring", "other", {"prd": 1}, (("rhel8", 1),), (4,), (16,),
       (SYS_DISK, (200,)), "infra", 2, "internal", "Infrastructure - Operations", INFRA, minimum=1,
       process="zabbix_server"),
    _r("splunk", "rbh-splunk{n:02d}", "Security Logging", "other", {"prd": 3}, (("rhel7", 1),), (8, 16), (32,),
       (SYS_DISK, (1000, 2000)), "infra", 2, "internal", "Information Security", INFRA, process="splunkd"),
    _r("backup", "rbh-bkp{n:02d}", "Backup", "other", {"prd": 1}, (("w2016", 1),), (8,), (32,), SQL_DISKS, "infra",
       2, "internal", "Infrastructure - Storage", INFRA, minimum=1, process="cvd.exe"),
    _r("mediaagent", "rbh-bkpma{n:02d}", "Backup", "other", {"prd": 3}, (("w2016", 1),), (16, 24), (64, 128),
       (SYS_DISK, (8000, 12000)), "infra", 2, "internal", "Infrastructure - Storage", INFRA, platform="physical",
       process="cvd.exe"),
    _r("wsus", "rbh-wsus{n:02d}", "Patch Management", "other", {"prd": 1}, (("w2016", 1),), (4,), (8,),
       (SYS_DISK, (500,)), "infra", 3, "internal", "Infrastructure - Operations", INFRA, process="w3wp.exe"),
    _r("sccm", "rbh-sccm{n:02d}", "Patch Management", "other", {"prd": 2}, (("w2016", 1),), (8,), (16,),
       (SYS_DISK, (500,)), "infra", 3, "internal", "Infrastructure - Operations", INFRA, process="smsexec.exe"),
    _r("epo", "rbh-epo{n:02d}", "Endpoint Protection", "other", {"prd": 1}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK, (100,)), "infra", 2, "internal", "Information Security", INFRA, process="Tomcat9.exe"),
    _r("fs", "rbh-fs{n:02d}", "File Services", "file", {"prd": 5}, (("w2008r2", 1), ("w2012r2", 2), ("w2016", 1)),
       (4,), (16,), (SYS_DISK, (2000, 4000), (1000, 2000)), "infra", 2, "phi", "Infrastructure - Storage", INFRA,
       minimum=1, process="System"),
    _r("print", "rbh-prt{n:02d}", "Print Services", "file", {"prd": 3}, (("w2012r2", 1), ("w2016", 1)), (4,), (8,),
       (SYS_DISK, (100,)), "infra", 2, "internal", "Infrastructure - End User", INFRA, process="spoolsv.exe"),
    _r("jump", "rbh-jump{n:02d}", "Administration", "other", {"prd": 3}, (("w2019", 1),), (4,), (16,),
       (SYS_DISK,), "infra", 3, "internal", "Infrastructure - Operations", INFRA, process="mstsc.exe"),
    _r("vcsa", "rbh-vcsa{n:02d}", "Virtualization", "other", {"prd": 2}, (("photon", 1),), (4, 8), (19, 32),
       ((48,), (300,), (150,)), "infra", 1, "internal", "Infrastructure - Compute", INFRA, process="vpxd"),
    _r("kms", "rbh-kms{n:02d}", "Administration", "other", {"prd": 1}, (("w2012r2", 1),), (2,), (4,), (SYS_DISK,),
       "infra", 3, "internal", "Infrastructure - Operations", INFRA, process="sppsvc.exe"),
    _r("smtp", "rbh-smtp{n:02d}", "Mail Relay", "other", {"prd": 1}, (("rhel7", 1),), (2,), (4,), (SYS_DISK,),
       "infra", 2, "internal", "Infrastructure - Messaging", INFRA, process="master"),
    _r("proxy", "rbh-proxy{n:02d}", "Web Proxy", "other", {"prd": 2}, (("centos7", 1),), (4,), (8,),
       (SYS_DISK, (100,)), "dmz", 2, "internal", "Information Security", INFRA, process="squid"),
    _r("sftp", "rbh-mft{n:02d}", "Managed File Transfer", "other", {"prd": 1}, (("w2012r2", 1),), (4,), (8,),
       (SYS_DISK, (200,)), "dmz", 2, "pii", "Infrastructure - Integration", INFRA, process="mftserver.exe"),
    _r("sqlshr", "sql-shr-n{n:02d}", "Shared SQL Cluster", "other", {"prd": 4}, (("w2016", 1),), (16,), (128,),
       (SYS_DISK, (1000,), (500,), (200,)), "database", 1, "phi", "Database Services", INFRA, minimum=1,
       cluster="CL-SQL-01", database=True, shared_disks=True, process="sqlservr.exe"),
    # --- Citrix / VDI
    _r("ddc", "ctx-ddc{n:02d}", "Citrix Virtual Apps", "vdi", {"prd": 2}, (("w2019", 1),), (4,), (16,), (SYS_DISK,),
       "vdi", 1, "phi", "End User Computing", INFRA, minimum=1, cluster="CL-VDI-01", process="BrokerService.exe"),
    _r("storefront", "ctx-sf{n:02d}", "Citrix Virtual Apps", "vdi", {"prd": 2}, (("w2019", 1),), (4,), (8,),
       (SYS_DISK,), "vdi", 1, "phi", "End User Computing", INFRA, cluster="CL-VDI-01", process="w3wp.exe"),
    _r("ctxlic", "ctx-lic{n:02d}", "Citrix Virtual Apps", "vdi", {"prd": 1}, (("w2016", 1),), (2,), (4,),
       (SYS_DISK,), "vdi", 2, "internal", "End User Computing", INFRA, cluster="CL-VDI-01", process="lmgrd.exe"),
    _r("pvs", "ctx-pvs{n:02d}", "Citrix Virtual Apps", "vdi", {"prd": 2}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK, (500,)), "vdi", 1, "internal", "End User Computing", INFRA, cluster="CL-VDI-01",
       process="StreamProcess.exe"),
    _r("vda", "ctx-vda{n:03d}", "Citrix Virtual Apps", "vdi", {"prd": 80}, (("w2016", 3), ("w2019", 2)), (8,),
       (32, 48), (SYS_DISK, (40,)), "vdi", 1, "phi", "End User Computing", INFRA, minimum=2, cluster="CL-VDI-01",
       process="wfshell.exe"),
    # --- EHR (Epic-style)
    _r("odb", "ehr-{env}-odb{n:02d}", "EHR", "ehr",
       {"prd": 2, "tst": 1, "dev": 1, "trn": 1, "rel": 1, "poc": 1, "dr": 1}, (("rhel8", 1),), (16, 32),
       (256, 512), (SYS_DISK, (2000, 4000), (1000,), (500,)), "database", 0, "phi", "Clinical Apps - EHR", CLIN,
       minimum=1, physical_envs=("prd", "dr"), cluster="CL-SQL-01", database=True, process="irisdb"),
    _r("ehrweb", "ehr-{env}-web{n:02d}", "EHR", "ehr",
       {"prd": 12, "tst": 2, "dev": 1, "trn": 2, "rel": 1, "poc": 1, "dr": 2}, WIN_CURRENT, (8,), (16, 32),
       (SYS_DISK, (100,)), "clinical", 0, "phi", "Clinical Apps - EHR", CLIN, minimum=1, cluster="CL-CLIN-01",
       process="w3wp.exe"),
    _r("ehric", "ehr-{env}-ic{n:02d}", "EHR", "ehr", {"prd": 4, "tst": 1, "dev": 1, "rel": 1, "dr": 1}, WIN_CURRENT,
       (8,), (16,), (SYS_DISK, (100,)), "clinical", 0, "phi", "Clinical Apps - EHR", CLIN, minimum=1,
       cluster="CL-CLIN-01", process="w3wp.exe"),
    _r("ehreps", "ehr-{env}-eps{n:02d}", "EHR", "ehr", {"prd": 2, "tst": 1}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK,), "clinical", 1, "phi", "Clinical Apps - EHR", CLIN, cluster="CL-CLIN-01",
       process="EpicPrintService.exe"),
    _r("ehrwbs", "ehr-{env}-wbs{n:02d}", "EHR", "ehr", {"prd": 2, "tst": 1}, WIN_CURRENT, (8,), (16,), (SYS_DISK,),
       "clinical", 1, "phi", "Clinical Apps - EHR", CLIN, cluster="CL-CLIN-01", process="w3wp.exe"),
    _r("ehrblob", "ehr-{env}-blob{n:02d}", "EHR", "ehr", {"prd": 1}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK, (4000,)), "clinical", 1, "phi", "Clinical Apps - EHR", CLIN, cluster="CL-CLIN-01",
       process="System"),
    _r("ehrmobile", "ehr-{env}-mob{n:02d}", "EHR", "ehr", {"prd": 2}, (("w2019", 1),), (4,), (16,), (SYS_DISK,),
       "dmz", 1, "phi", "Clinical Apps - EHR", CLIN, cluster="CL-CLIN-01", process="w3wp.exe"),
    _r("portal", "ehr-{env}-portal{n:02d}", "EHR", "ehr", {"prd": 2}, (("w2019", 1),), (8,), (16,), (SYS_DISK,),
       "dmz", 1, "phi", "Clinical Apps - EHR", CLIN, cluster="CL-CLIN-01", process="w3wp.exe"),
    _r("pulse", "ehr-{env}-pulse{n:02d}", "EHR", "ehr", {"prd": 1}, (("w2019", 1),), (4,), (16,), (SYS_DISK,),
       "clinical", 2, "internal", "Clinical Apps - EHR", CLIN, cluster="CL-CLIN-01", process="SystemPulse.exe"),
    _r("clarity", "ehr-{env}-clarity{n:02d}", "EHR Reporting", "reporting", {"prd": 2, "tst": 1}, (("w2016", 1),),
       (16, 24), (256,), (SYS_DISK, (4000,), (1000,), (500,)), "database", 1, "phi", "Clinical Apps - Reporting",
       CLIN, cluster="CL-SQL-01", database=True, shared_disks=True, process="sqlservr.exe"),
    _r("caboodle", "ehr-{env}-caboodle{n:02d}", "EHR Reporting", "reporting", {"prd": 1, "tst": 1}, (("w2019", 1),),
       (16,), (128, 256), (SYS_DISK, (2000,), (500,)), "database", 1, "phi", "Clinical Apps - Reporting", CLIN,
       cluster="CL-SQL-01", database=True, process="sqlservr.exe"),
    _r("etl", "ehr-{env}-etl{n:02d}", "EHR Reporting", "reporting", {"prd": 1}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK, (200,)), "clinical", 2, "phi", "Clinical Apps - Reporting", CLIN, process="ClarityConsole.exe"),
    _r("bi", "ehr-{env}-bi{n:02d}", "EHR Reporting", "reporting", {"prd": 2}, (("w2012r2", 1),), (8,), (32,),
       (SYS_DISK, (200,)), "clinical", 2, "phi", "Clinical Apps - Reporting", CLIN, process="w3wp.exe"),
    _r("adt", "adt-{env}-app{n:02d}", "Patient Registration (ADT)", "ehr", {"prd": 2, "tst": 1}, WIN_LEGACY, (4, 8),
       (16,), (SYS_DISK, (100,)), "clinical", 1, "phi", "Patient Access", CLIN, minimum=1, cluster="CL-CLIN-01",
       process="adtservice.exe"),
    _r("adtdb", "adt-{env}-db{n:02d}", "Patient Registration (ADT)", "ehr", {"prd": 1}, (("w2012r2", 1),), (8,),
       (64,), SQL_DISKS, "database", 1, "phi", "Patient Access", CLIN, cluster="CL-SQL-01", database=True,
       process="sqlservr.exe"),
    # --- integration
    _r("hl7", "hl7-{env}-eng{n:02d}", "HL7 Interface Engine", "interface-engine", {"prd": 2, "tst": 1, "dev": 1},
       (("rhel7", 3), ("rhel8", 1)), (8, 16), (32, 64), (SYS_DISK, (500,)), "integration", 0, "phi",
       "Integration Services", CLIN, minimum=1, cluster="CL-CLIN-01", process="hciengine"),
    # --- imaging
    _r("pacs", "pacs-{env}-app{n:02d}", "PACS", "pacs", {"prd": 3, "tst": 1}, (("w2012r2", 1), ("w2016", 2)), (16,),
       (64,), (SYS_DISK, (500,), (2000,)), "imaging", 1, "phi", "Clinical Apps - Imaging", CLIN, minimum=1,
       cluster="CL-CLIN-01", process="PacsService.exe"),
    _r("pacsweb", "pacs-{env}-web{n:02d}", "PACS", "pacs", {"prd": 2}, (("w2016", 1),), (8,), (32,), (SYS_DISK,),
       "imaging", 1, "phi", "Clinical Apps - Imaging", CLIN, cluster="CL-CLIN-01", process="w3wp.exe"),
    _r("pacsdb", "pacs-{env}-sql{n:02d}", "PACS", "pacs", {"prd": 2}, (("w2016", 1),), (16,), (128,), SQL_DISKS,
       "database", 1, "phi", "Clinical Apps - Imaging", CLIN, cluster="CL-SQL-01", database=True, shared_disks=True,
       process="sqlservr.exe"),
    _r("dicomgw", "pacs-{env}-gw{n:02d}", "PACS", "pacs", {"prd": 4}, (("w2012r2", 2), ("w2016", 1)), (4,), (16,),
       (SYS_DISK, (500,)), "imaging", 1, "phi", "Clinical Apps - Imaging", CLIN, minimum=1, cluster="CL-CLIN-01",
       process="DicomRouter.exe"),
    _r("vna", "vna-{env}-app{n:02d}", "VNA", "pacs", {"prd": 2}, (("w2016", 1),), (16,), (64,), (SYS_DISK, (500,)),
       "imaging", 1, "phi", "Clinical Apps - Imaging", CLIN, cluster="CL-CLIN-01", process="vna.exe"),
    _r("vnastore", "vna-{env}-stor{n:02d}", "VNA", "pacs", {"prd": 2}, (("rhel7", 1),), (16,), (64,),
       (SYS_DISK, (40000, 60000)), "imaging", 1, "phi", "Clinical Apps - Imaging", CLIN, platform="physical",
       process="nfsd"),
    _r("vnadb", "vna-{env}-db{n:02d}", "VNA", "pacs", {"prd": 1}, (("rhel7", 1),), (8,), (64,), SQL_DISKS,
       "database", 1, "phi", "Clinical Apps - Imaging", CLIN, cluster="CL-SQL-01", database=True, process="oracle"),
    _r("cvis", "cvis-{env}-app{n:02d}", "Cardiology PACS", "pacs", {"prd": 1}, (("w2012r2", 1),), (8,), (32,),
       (SYS_DISK, (2000,)), "imaging", 1, "phi", "Clinical Apps - Imaging", CLIN, process="CvisService.exe"),
    _r("cvisdb", "cvis-{env}-db{n:02d}", "Cardiology PACS", "pacs", {"prd": 1}, (("w2012r2", 1),), (8,), (32,),
       SQL_DISKS, "database", 1, "phi", "Clinical Apps - Imaging", CLIN, database=True, process="sqlservr.exe"),
    # --- laboratory, radiology, pharmacy
    _r("lis", "lis-{env}-app{n:02d}", "Laboratory (LIS)", "lis", {"prd": 2, "tst": 1}, (("rhel7", 1),), (8,), (32,),
       (SYS_DISK, (200,)), "clinical", 0, "phi", "Clinical Apps - Laboratory", CLIN, minimum=1, cluster="CL-CLIN-01",
       process="java"),
    _r("lisdb", "lis-{env}-ora{n:02d}", "Laboratory (LIS)", "lis", {"prd": 2, "tst": 1}, (("rhel7", 1),), (16,),
       (128,), SQL_DISKS, "database", 0, "phi", "Clinical Apps - Laboratory", CLIN, minimum=1, cluster="CL-SQL-01",
       database=True, shared_disks=True, process="oracle"),
    _r("lismw", "lis-{env}-mw{n:02d}", "Laboratory (LIS)", "lis", {"prd": 2}, (("w2012r2", 1),), (4,), (16,),
       (SYS_DISK,), "clinical", 0, "phi", "Clinical Apps - Laboratory", CLIN, cluster="CL-CLIN-01",
       process="Middleware.exe"),
    _r("path", "path-{env}-app{n:02d}", "Anatomic Pathology", "lis", {"prd": 1}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK, (500,)), "clinical", 1, "phi", "Clinical Apps - Laboratory", CLIN, process="java"),
    _r("bb", "bb-{env}-app{n:02d}", "Blood Bank", "lis", {"prd": 1}, (("w2008r2", 1),), (4,), (8,),
       (SYS_DISK, (100,)), "clinical", 0, "phi", "Clinical Apps - Laboratory", CLIN, process="BBService.exe"),
    _r("bbdb", "bb-{env}-db{n:02d}", "Blood Bank", "lis", {"prd": 1}, (("w2008r2", 1),), (4,), (16,), SQL_DISKS,
       "database", 0, "phi", "Clinical Apps - Laboratory", CLIN, database=True, process="sqlservr.exe"),
    _r("ris", "ris-{env}-app{n:02d}", "Radiology (RIS)", "ris", {"prd": 2, "tst": 1}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK, (200,)), "clinical", 1, "phi", "Clinical Apps - Imaging", CLIN, minimum=1, cluster="CL-CLIN-01",
       process="RisServer.exe"),
    _r("risdb", "ris-{env}-db{n:02d}", "Radiology (RIS)", "ris", {"prd": 1}, (("w2012r2", 1),), (8,), (64,),
       SQL_DISKS, "database", 1, "phi", "Clinical Apps - Imaging", CLIN, cluster="CL-SQL-01", database=True,
       process="sqlservr.exe"),
    _r("rx", "rx-{env}-app{n:02d}", "Pharmacy", "pharmacy", {"prd": 2, "tst": 1}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK, (200,)), "clinical", 0, "phi", "Clinical Apps - Pharmacy", CLIN, minimum=1, cluster="CL-CLIN-01",
       process="RxService.exe"),
    _r("rxdb", "rx-{env}-db{n:02d}", "Pharmacy", "pharmacy", {"prd": 1}, (("w2016", 1),), (8,), (64,), SQL_DISKS,
       "database", 0, "phi", "Clinical Apps - Pharmacy", CLIN, cluster="CL-SQL-01", database=True,
       process="sqlservr.exe"),
    _r("rxcab", "rx-{env}-cab{n:02d}", "Pharmacy", "pharmacy", {"prd": 1}, (("w2012r2", 1),), (4,), (16,),
       (SYS_DISK,), "clinical", 0, "phi", "Clinical Apps - Pharmacy", CLIN, process="CabinetServer.exe"),
    # --- other clinical systems
    _r("anes", "anes-{env}-app{n:02d}", "Anesthesia", "other", {"prd": 1}, (("w2016", 1),), (8,), (16,),
       (SYS_DISK, (200,)), "clinical", 0, "phi", "Clinical Apps - Perioperative", CLIN, process="AnesService.exe"),
    _r("onc", "onc-{env}-app{n:02d}", "Radiation Oncology", "other", {"prd": 2}, (("w2012r2", 1), ("w2016", 1)), (8,),
       (32,), (SYS_DISK, (1000,)), "clinical", 0, "phi", "Clinical Apps - Oncology", CLIN, process="OncService.exe"),
    _r("oncdb", "onc-{env}-db{n:02d}", "Radiation Oncology", "other", {"prd": 1}, (("w2012r2", 1),), (8,), (64,),
       SQL_DISKS, "database", 0, "phi", "Clinical Apps - Oncology", CLIN, database=True, process="sqlservr.exe"),
    _r("fetal", "fetal-{env}-app{n:02d}", "Fetal Monitoring", "other", {"prd": 1}, (("w2012r2", 1),), (4,), (16,),
       (SYS_DISK, (500,)), "clinical", 0, "phi", "Clinical Apps - Women's Health", CLIN, process="FetalLink.exe"),
    _r("pmgw", "pm-{env}-gw{n:02d}", "Patient Monitoring Gateway", "other", {"prd": 2}, (("w2016", 1),), (4,), (8,),
       (SYS_DISK,), "clinical", 0, "phi", "Biomedical Engineering", CLIN, process="MonitorGateway.exe"),
    _r("nursecall", "nc-{env}-app{n:02d}", "Nurse Call", "other", {"prd": 1}, (("appliance", 1),), (2,), (8,),
       ((60,),), "clinical", 1, "internal", "Biomedical Engineering", CLIN, process="ncserver"),
    _r("dict", "dict-{env}-app{n:02d}", "Dictation", "other", {"prd": 2}, (("w2012r2", 1),), (4,), (16,),
       (SYS_DISK, (500,)), "clinical", 2, "phi", "Health Information Management", CLIN, process="DictService.exe"),
    _r("doc", "doc-{env}-app{n:02d}", "Document Imaging", "other", {"prd": 2}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK,), "clinical", 2, "phi", "Health Information Management", CLIN, process="w3wp.exe"),
    _r("docproc", "doc-{env}-proc{n:02d}", "Document Imaging", "other", {"prd": 2}, (("w2016", 1),), (8,), (16,),
       (SYS_DISK,), "clinical", 2, "phi", "Health Information Management", CLIN, process="DocProcessor.exe"),
    _r("docdb", "doc-{env}-db{n:02d}", "Document Imaging", "other", {"prd": 1}, (("w2016", 1),), (8,), (64,),
       SQL_DISKS, "database", 2, "phi", "Health Information Management", CLIN, database=True,
       process="sqlservr.exe"),
    _r("diet", "diet-{env}-app{n:02d}", "Dietary", "other", {"prd": 1}, (("w2012r2", 1),), (2,), (8,),
       (SYS_DISK,), "clinical", 3, "pii", "Food and Nutrition", CLIN, process="DietService.exe"),
    _r("bed", "bed-{env}-app{n:02d}", "Bed Management", "other", {"prd": 1}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK,), "clinical", 2, "phi", "Patient Flow", CLIN, process="w3wp.exe"),
    _r("biomed", "biomed-{env}-app{n:02d}", "Biomedical Asset Management", "other", {"prd": 1}, (("w2008r2", 1),),
       (2,), (8,), (SYS_DISK,), "clinical", 3, "internal", "Biomedical Engineering", CLIN, process="w3wp.exe"),
    # --- business systems (the acquired community hospital's Hyper-V cluster runs ERP and HR)
    _r("erp", "erp-{env}-app{n:02d}", "Finance ERP", "other", {"prd": 2, "tst": 1}, (("w2012r2", 1), ("w2016", 1)),
       (8,), (32,), (SYS_DISK, (200,)), "business", 2, "pii", "Finance", BIZ, platform="hyperv",
       process="java.exe"),
    _r("erpdb", "erp-{env}-db{n:02d}", "Finance ERP", "other", {"prd": 1}, (("w2012r2", 1),), (16,), (128,),
       SQL_DISKS, "business", 2, "pii", "Finance", BIZ, platform="hyperv", database=True, process="sqlservr.exe"),
    _r("hr", "hr-{env}-app{n:02d}", "HR and Payroll", "other", {"prd": 1}, (("w2012r2", 1),), (8,), (16,),
       (SYS_DISK,), "business", 2, "pii", "Human Resources", BIZ, platform="hyperv", process="w3wp.exe"),
    _r("hrdb", "hr-{env}-db{n:02d}", "HR and Payroll", "other", {"prd": 1}, (("w2012r2", 1),), (8,), (64,),
       SQL_DISKS, "business", 2, "pii", "Human Resources", BIZ, platform="hyperv", database=True,
       process="sqlservr.exe"),
    _r("rc", "rc-{env}-app{n:02d}", "Revenue Cycle", "other", {"prd": 2}, (("w2016", 1),), (8,), (32,),
       (SYS_DISK, (200,)), "business", 1, "phi", "Revenue Cycle", BIZ, process="ClaimsService.exe"),
    _r("rcdb", "rc-{env}-db{n:02d}", "Revenue Cycle", "other", {"prd": 1}, (("w2016", 1),), (16,), (128,), SQL_DISKS,
       "database", 1, "phi", "Revenue Cycle", BIZ, cluster="CL-SQL-01", database=True, process="sqlservr.exe"),
    _r("sched", "sched-{env}-app{n:02d}", "Staff Scheduling", "other", {"prd": 1}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK,), "business", 2, "pii", "Nursing Administration", BIZ, process="w3wp.exe"),
    _r("time", "time-{env}-app{n:02d}", "Time and Attendance", "other", {"prd": 1}, (("w2012r2", 1),), (4,), (16,),
       (SYS_DISK,), "business", 3, "pii", "Human Resources", BIZ, process="java.exe"),
    _r("supply", "supply-{env}-app{n:02d}", "Supply Chain", "other", {"prd": 2}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK,), "business", 2, "internal", "Supply Chain", BIZ, process="w3wp.exe"),
    _r("intranet", "intranet-{env}-web{n:02d}", "Intranet", "other", {"prd": 2}, (("w2016", 1),), (4,), (16,),
       (SYS_DISK,), "business", 3, "internal", "Communications", BIZ, process="w3wp.exe"),
    _r("intranetdb", "intranet-{env}-sql{n:02d}", "Intranet", "other", {"prd": 1}, (("w2016", 1),), (8,), (32,),
       SQL_DISKS, "database", 3, "internal", "Communications", BIZ, database=True, process="sqlservr.exe"),
    _r("badge", "sec-{env}-app{n:02d}", "Physical Security", "other", {"prd": 2}, (("w2012r2", 1),), (4,), (16,),
       (SYS_DISK, (2000,)), "business", 2, "internal", "Security Services", BIZ, process="AccessControl.exe"),
)

ROLE_BY_KEY = {role.key: role for role in ROLES}


@dataclass(frozen=True)
class Link:
    """Servers of role `source` connect to servers of role `target` on `port`."""

    source: str
    target: str
    port: int
    pattern: str = "constant"
    """constant (every time slot), business (06:00-18:00), nightly (00:00-06:00), daily (one slot a day)."""
    fan: int = 0
    """Targets each source connects to (0: all of them)."""
    same_env: bool = True
    """Connect within the same environment only (dr falls back to prd targets)."""


def _hl7(*systems: str, both: tuple[str, ...] = ()) -> tuple[Link, ...]:
    """The interface engine sends to `systems` and exchanges both ways with `both`, on MLLP 2575."""
    links = [Link("hl7", s, 2575) for s in systems + both]
    links += [Link(s, "hl7", 2575) for s in both]
    return tuple(links)


LINKS: tuple[Link, ...] = (
    # EHR
    Link("ehrweb", "odb", 1972), Link("ehric", "odb", 1972), Link("ehreps", "odb", 1972, "business"),
    Link("ehrwbs", "odb", 1972), Link("pulse", "odb", 1972), Link("pulse", "ehrweb", 443),
    Link("ehrweb", "ehrblob", 445, "business"), Link("portal", "ehric", 443), Link("ehrmobile", "ehric", 443),
    Link("portal", "adfs", 443, same_env=False),
    Link("etl", "odb", 1972, "nightly"), Link("etl", "clarity", 1433, "nightly"),
    Link("clarity", "caboodle", 1433, "nightly"), Link("bi", "clarity", 1433, "business"),
    Link("bi", "caboodle", 1433, "business"), Link("ehric", "smtp", 25, "business", same_env=False),
    Link("adt", "adtdb", 1433), Link("adt", "odb", 1972, fan=1),
    # Citrix: every clinician's session reaches the clinical front ends from a VDA
    Link("vda", "ehrweb", 443, "business", fan=3), Link("vda", "pacsweb", 443, "business", fan=1),
    Link("vda", "fs", 445, "business", fan=2), Link("vda", "print", 445, "business", fan=1),
    Link("vda", "ddc", 80, fan=1), Link("vda", "ris", 443, "business", fan=1),
    Link("vda", "rx", 443, "business", fan=1), Link("vda", "lis", 443, "business", fan=1),
    Link("vda", "doc", 443, "business", fan=1), Link("vda", "dict", 443, "business", fan=1),
    Link("vda", "proxy", 8080, "business", fan=1), Link("vda", "bed", 443, "business", fan=1),
    Link("storefront", "ddc", 80), Link("ddc", "sqlshr", 1433, fan=1), Link("ddc", "ctxlic", 27000),
    Link("pvs", "sqlshr", 1433, fan=1),
    # HL7 interface engine: the hub most clinical systems talk to
    *_hl7("diet", "nursecall", "bed", "cvis", "doc", "anes", "fetal", "onc", "rc", "ehrwbs",
          both=("adt", "lis", "ris", "rx", "pacs", "bb", "path", "ehric")),
    Link("pmgw", "hl7", 2575),
    # imaging
    Link("dicomgw", "pacs", 104), Link("pacs", "pacsdb", 1433), Link("pacsweb", "pacsdb", 1433),
    Link("pacsweb", "pacs", 443), Link("pacs", "vna", 11112), Link("vna", "vnastore", 2049),
    Link("vna", "vnadb", 1521), Link("ris", "pacs", 104, "business"), Link("ris", "risdb", 1433),
    Link("cvis", "cvisdb", 1433), Link("cvis", "vna", 11112, "nightly"),
    # laboratory, pharmacy, other clinical
    Link("lis", "lisdb", 1521), Link("lismw", "lis", 5100), Link("path", "lisdb", 1521, "business", fan=1),
    Link("bb", "bbdb", 1433), Link("rx", "rxdb", 1433), Link("rxcab", "rx", 443), Link("onc", "oncdb", 1433),
    Link("doc", "docdb", 1433), Link("docproc", "docdb", 1433), Link("docproc", "fs", 445, "nightly", fan=1),
    Link("dict", "sqlshr", 1433, fan=1, same_env=False), Link("anes", "sqlshr", 1433, fan=1, same_env=False),
    Link("fetal", "sqlshr", 1433, fan=1, same_env=False),
    # business
    Link("erp", "erpdb", 1433), Link("hr", "hrdb", 1433), Link("rc", "rcdb", 1433),
    Link("rc", "sftp", 22, "nightly", same_env=False), Link("sched", "sqlshr", 1433, fan=1, same_env=False),
    Link("time", "sqlshr", 1433, fan=1, same_env=False), Link("supply", "sqlshr", 1433, fan=1, same_env=False),
    Link("intranet", "intranetdb", 1433), Link("badge", "sqlshr", 1433, fan=1, same_env=False),
    # infrastructure
    Link("scom", "scomdb", 1433), Link("backup", "mediaagent", 8400), Link("jump", "vcsa", 443, "business"),
    Link("sccm", "sqlshr", 1433, fan=1), Link("wsus", "sqlshr", 1433, "daily", fan=1),
)

# External (never inventoried) endpoints: (role, kind, port, pattern, inbound, per-server count at 400)
DEVICE_LINKS = (
    ("dicomgw", "modality", 104, "business", True, 8),
    ("lismw", "analyzer", 5001, "constant", True, 10),
    ("print", "printer", 9100, "business", False, 20),
    ("rxcab", "cabinet", 443, "constant", True, 16),
    ("pmgw", "monitor", 2575, "constant", True, 12),
)
PARTNER_LINKS = (
    ("hl7", "reference-lab", 2575, "constant"), ("hl7", "hie", 443, "constant"),
    ("ehric", "eprescribing", 443, "business"), ("sftp", "payer-sftp", 22, "nightly"),
)

# Well-known serving processes by port, for the dependency export's Destination process.
SERVICE_PROCESS = {
    25: "master", 53: "dns.exe", 80: "BrokerService.exe", 88: "lsass.exe", 104: "DicomListener.exe", 389: "lsass.exe",
    443: "w3wp.exe", 445: "System", 1433: "sqlservr.exe", 1521: "tnslsnr", 1688: "sppsvc.exe", 1972: "irisdb",
    2049: "nfsd", 2575: "hciengine", 3389: "svchost.exe", 5001: "Middleware.exe", 5100: "java", 5723: "HealthService.exe",
    8080: "squid", 8400: "cvd.exe", 8443: "Tomcat9.exe", 8530: "w3wp.exe", 9997: "splunkd", 10051: "zabbix_server",
    11112: "vna.exe", 22: "sshd", 27000: "lmgrd.exe",
}
PROCESS_APPLICATION = {
    "sqlservr.exe": "Microsoft SQL Server", "w3wp.exe": "Internet Information Services", "irisdb": "InterSystems IRIS",
    "tnslsnr": "Oracle Database", "oracle": "Oracle Database", "hciengine": "Interface Engine",
    "lsass.exe": "Active Directory Domain Services", "dns.exe": "DNS Server", "HealthService.exe": "System Center",
    "cvd.exe": "Backup Agent", "splunkd": "Splunk", "sshd": "OpenSSH", "squid": "Squid",
}
