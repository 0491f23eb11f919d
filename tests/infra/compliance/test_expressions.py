"""ARM template expressions: what a file settles offline, and how the rest stays spelled out."""

from __future__ import annotations

import pytest

from infra.compliance.expressions import Context, Opaque, evaluate, is_known

RG = "/subscriptions/s1/resourceGroups/rg-a"


@pytest.fixture
def context() -> Context:
    return Context("s1", "rg-a", RG,
                   parameters={"vaultname": "kv-a", "location": "[resourceGroup().location]"},
                   variables={"keyname": "[concat('cmk-', parameters('vaultName'))]",
                              "settings": {"access": "[toUpper('disabled')]", "ports": [22, 3389]},
                              "loop": "[variables('loop')]"})


@pytest.mark.parametrize("expression, value", [
    ("[parameters('VaultName')]", "kv-a"),  # names are case-insensitive, as in Azure
    ("[variables('keyName')]", "cmk-kv-a"),
    ("[variables('settings').access]", "DISABLED"),
    ("[variables('settings').ports[1]]", 3389),
    ("[concat(parameters('vaultName'), '/', variables('keyName'))]", "kv-a/cmk-kv-a"),
    ("[format('{0}.vault.azure.net/{{x}}', parameters('vaultName'))]", "kv-a.vault.azure.net/{x}"),
    ("[resourceId('Microsoft.KeyVault/vaults/keys', parameters('vaultName'), 'cmk')]",
     f"{RG}/providers/Microsoft.KeyVault/vaults/kv-a/keys/cmk"),
    ("[resourceId('rg-b', 'Microsoft.KeyVault/vaults', 'kv-b')]",
     "/subscriptions/s1/resourceGroups/rg-b/providers/Microsoft.KeyVault/vaults/kv-b"),
    ("[resourceId('s2', 'rg-b', 'Microsoft.KeyVault/vaults', 'kv-b')]",
     "/subscriptions/s2/resourceGroups/rg-b/providers/Microsoft.KeyVault/vaults/kv-b"),
    ("[subscriptionResourceId('Microsoft.Security/pricings', 'KeyVaults')]",
     "/subscriptions/s1/providers/Microsoft.Security/pricings/KeyVaults"),
    ("[tenantResourceId('Microsoft.Management/managementGroups', 'mg-a')]",
     "/providers/Microsoft.Management/managementGroups/mg-a"),
    ("[extensionResourceId(resourceId('Microsoft.KeyVault/vaults', 'kv-a'), 'Microsoft.Authorization/locks', 'l')]",
     f"{RG}/providers/Microsoft.KeyVault/vaults/kv-a/providers/Microsoft.Authorization/locks/l"),
    ("[resourceGroup().name]", "rg-a"),
    ("[subscription().subscriptionId]", "s1"),
    ("[if(equals(parameters('vaultName'), 'kv-a'), 'Disabled', 'Enabled')]", "Disabled"),
    ("[and(true(), not(false()))]", True),
    ("[json('{\"a\": [1, 2]}').a[0]]", 1),
    ("[toLower('It''s')]", "it's"),
    ("[[not an expression]", "[not an expression]"),
    ("plain text", "plain text"),
])
def test_known_values(context, expression, value):
    assert evaluate(expression, context) == value


@pytest.mark.parametrize("expression, spelled", [
    ("[parameters('missing')]", "[parameters('missing')]"),
    ("[parameters('location')]", "[resourceGroup().location]"),
    ("[uniqueString(resourceGroup().id)]", "[uniqueString(resourceGroup().id)]"),
    ("[reference('kv').vaultUri]", "[reference('kv').vaultUri]"),
    ("[toLower(parameters('missing'))]", "[toLower(parameters('missing'))]"),
    ("[format('{0:N2}', 1)]", "[format('{0:N2}', 1)]"),
    ("[variables('loop')]", "[variables('loop')]"),  # a cycle stays unknown instead of recursing forever
    ("[concat('a', ]", "[concat('a', ]"),  # not parseable: kept whole
])
def test_unknown_values_are_spelled_out(context, expression, spelled):
    value = evaluate(expression, context)
    assert isinstance(value, Opaque) and value == spelled


def test_names_and_ids_keep_their_shape_around_unknown_parts(context):
    # Structure survives, so a child's id still extends its parent's.
    assert evaluate("[concat(parameters('missing'), '/cmk')]", context) == "[parameters('missing')]/cmk"
    assert evaluate("[resourceId('Microsoft.KeyVault/vaults', parameters('missing'))]", context) == \
        f"{RG}/providers/Microsoft.KeyVault/vaults/[parameters('missing')]"


def test_objects_are_evaluated_throughout_and_report_unknown_parts(context):
    value = evaluate({"a": "[parameters('vaultName')]", "b": ["[parameters('missing')]"]}, context)
    assert value["a"] == "kv-a" and not is_known(value)


def test_used_parameters_are_recorded_only_when_known(context):
    evaluate("[concat(parameters('vaultName'), parameters('location'), parameters('missing'))]", context)
    assert context.used_parameters == {"vaultname"}


def test_resource_group_functions_are_unknown_at_subscription_scope():
    context = Context("s1", None, "/subscriptions/s1")
    assert isinstance(evaluate("[resourceGroup().name]", context), Opaque)
    assert evaluate("[resourceId('Microsoft.Security/pricings', 'Arm')]", context) == \
        "/subscriptions/s1/providers/Microsoft.Security/pricings/Arm"


@pytest.mark.parametrize("expression, value", [
    ("[coalesce(null(), '', 'x')]", ""),
    ("[coalesce(null(), parameters('vaultName'))]", "kv-a"),
    ("[tryGet(variables('settings'), 'access')]", "DISABLED"),
    ("[tryGet(variables('settings'), 'missing')]", None),
    ("[tryGet(variables('settings'), 'ports', 0)]", 22),
    ("[empty('')]", True),
    ("[empty(variables('settings').ports)]", False),
    ("[length(variables('settings').ports)]", 2),
    ("[contains(variables('settings').ports, 22)]", True),
    ("[if(equals(parameters('vaultName'), 'kv-a'), 'yes', parameters('missing'))]", "yes"),
    ("[or(true(), parameters('missing'))]", True),
    ("[and(false(), parameters('missing'))]", False),
    ("[if('True', 'on', 'off')]", "on"),  # booleans given as strings, as hand-written parameter files do
    ("[environment().suffixes.keyvaultDns]", ".vault.azure.net"),
    ("[environment().suffixes.storage]", "core.windows.net"),
    ("[union(createObject('a', 1), createObject('b', 2))]", {"a": 1, "b": 2}),
    ("[toLower(replace('A-B', '-', ''))]", "ab"),
])
def test_more_of_the_language_offline(context, expression, value):
    assert evaluate(expression, context) == value


@pytest.mark.parametrize("expression", [
    "[coalesce(parameters('missing'), 'x')]",  # the unknown comes first: it may be the answer
    "[if(parameters('missing'), 'a', 'b')]",
    "[and(true(), parameters('missing'))]",
    "[resourceGroup().location]",  # without --location
    "[deployment().location]",
    "[copyIndex()]",  # outside a loop
])
def test_still_unknown_offline(context, expression):
    assert isinstance(evaluate(expression, context), Opaque)


def test_location_and_copy_index_when_known():
    context = Context("s1", "rg-a", RG, location="eastus2", copy_index={"": 2, "disks": 1})
    assert evaluate("[resourceGroup().location]", context) == "eastus2"
    assert evaluate("[deployment().location]", context) == "eastus2"
    assert evaluate("[copyIndex(1)]", context) == 3
    assert evaluate("[copyIndex('disks')]", context) == 1
