"""Rendered Pulumi resources → ARM documents, and an ARM template that scanners read.

A document is what Azure Resource Manager's GET returns for the resource: ``type``, ``name``
(the leaf name), ``id``, ``location``, ``tags``, ``sku``, ``kind``, ``identity``, ``properties``
and ``apiVersion`` (the one the azure-native SDK uses). Pulumi's azure-native inputs differ
from that shape in these ways, undone here (common rules, plus a `Shape` per deviating type):

- most ``properties`` are flattened to the top level (Key Vault, Key Vault keys and Cognitive
  Services keep a ``properties`` input), including a ``sku`` that ARM keeps inside them
  (firewall, firewall policy, gateway, Log Analytics workspace);
- the names and parents of the URL path are inputs (``resourceGroupName``, ``vaultName``...);
- some properties are renamed after the REST spec's ``x-ms-client-name`` (storage
  ``networkRuleSet`` is ARM ``networkAcls``);
- inline sub-resources (security rules, routes, ip configurations, private link connections,
  zone configs) are flattened too; ARM nests them as ``{name, id, properties}``, and returns a
  reference (a subnet, a public IP) as ``{id}`` alone;
- user-assigned identities are a list of ids, ARM maps each id to its principal; numbers are
  floats, ARM's counts and priorities are integers.

The values Azure computes (ids, addresses, URIs, principal ids) come from the render's mock
answers, so a document carries the read-only properties a GET would show: the audit judges
these documents. The exported template keeps configuration and computed values apart: each
resource's body is what Pulumi sends (`sent_document`), and what only a GET would add sits in
the resource's ``metadata.carelift.readOnly`` (ARM ignores a resource's ``metadata``; carelift's
ARM reader merges it back). Shapes were checked against the REST specs
(Azure/azure-rest-api-specs, Azure/bicep-types-az).

The package: `types` (ARM_TYPES, the table a new resource type is one row of; ids, full types and
API versions), `shapes` (how a type's inputs deviate), `documents` (the translation), `readonly`
(computed values kept apart) and `template` (the template writer).
"""

from infra.arm.documents import sent_document, to_arm_document, to_arm_documents, translate
from infra.arm.errors import ArmTranslationError
from infra.arm.readonly import READ_ONLY_METADATA, merge_read_only, read_only_part
from infra.arm.template import TEMPLATE_CONTENT_VERSION, TEMPLATE_SCHEMA, export_template, to_template
from infra.arm.types import (ARM_TYPES, OFFLINE_OBJECT_ID, OFFLINE_SUBSCRIPTION_ID, OFFLINE_TENANT_ID, api_version,
                             arm_id, arm_type)

__all__ = ["ARM_TYPES", "OFFLINE_OBJECT_ID", "OFFLINE_SUBSCRIPTION_ID", "OFFLINE_TENANT_ID", "READ_ONLY_METADATA",
           "TEMPLATE_CONTENT_VERSION", "TEMPLATE_SCHEMA", "ArmTranslationError", "api_version", "arm_id", "arm_type",
           "export_template", "merge_read_only", "read_only_part", "sent_document", "to_arm_document",
           "to_arm_documents", "to_template", "translate"]
