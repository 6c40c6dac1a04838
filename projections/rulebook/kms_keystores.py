"""Custom key stores (issue 13): CloudHSM and external key stores, their connection state,
the keys created in them, and what a disconnected store does to its keys.

kmsim has no CloudHSM cluster and no external key store proxy: what they would answer is
A-CKS-BACKING's; how long connecting takes is A-CKS-CONNECTING's.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

#: The KMS Developer Guide's key state page, on the Unavailable state.
OBSERVED_UNAVAILABLE = ("observed behaviour (documented): AWS KMS Developer Guide, 'How Key State "
                        "Affects Use of a Customer Master Key' <https://docs.aws.amazon.com/kms/"
                        "latest/developerguide/key-state.html>")

declare(
    Rule("R-KMS-CKS-01", "CreateCustomKeyStore of CustomKeyStoreType AWS_CLOUDHSM (the default) "
         "needs CustomKeyStoreName, CloudHsmClusterId, KeyStorePassword and "
         "TrustAnchorCertificate; a missing one is refused as A-CKS-PARAM-ERROR says",
         BOTOCORE_MODELS, assumption="A-CKS-PARAM-ERROR",
         quote="To create an CloudHSM key store, specify the CustomKeyStoreName, "
         "CloudHsmClusterId, KeyStorePassword, and TrustAnchorCertificate."),
    Rule("R-KMS-CKS-02", "CreateCustomKeyStore of CustomKeyStoreType EXTERNAL_KEY_STORE needs "
         "XksProxyConnectivity, XksProxyAuthenticationCredential, XksProxyUriEndpoint and "
         "XksProxyUriPath, and XksProxyVpcEndpointServiceName for VPC_ENDPOINT_SERVICE; a "
         "missing one is refused as A-CKS-PARAM-ERROR says", BOTOCORE_MODELS,
         assumption="A-CKS-PARAM-ERROR",
         quote="Also, specify values for XksProxyConnectivity, XksProxyAuthenticationCredential, "
         "XksProxyUriEndpoint, and XksProxyUriPath. If your XksProxyConnectivity value is "
         "VPC_ENDPOINT_SERVICE, specify the XksProxyVpcEndpointServiceName parameter."),
    Rule("R-KMS-CKS-03", "A custom key store name already used in the account and Region is "
         "refused with CustomKeyStoreNameInUseException", BOTOCORE_MODELS,
         quote="The request was rejected because the specified custom key store name is "
         "already assigned to another custom key store in the account."),
    Rule("R-KMS-CKS-04", "A CloudHSM cluster already associated with a CloudHSM key store of the "
         "account is refused with CloudHsmClusterInUseException", BOTOCORE_MODELS,
         quote="Each CloudHSM key store in the account must be associated with a different "
         "CloudHSM cluster."),
    Rule("R-KMS-CKS-05", "ConnectCustomKeyStore starts connecting (CONNECTING, then CONNECTED) "
         "and answers at once; it is refused with CustomKeyStoreInvalidStateException when the "
         "store is DISCONNECTING or FAILED, and changes nothing when it is CONNECTED or "
         "CONNECTING", BOTOCORE_MODELS,
         quote="You requested the ConnectCustomKeyStore operation on a custom key store with a "
         "ConnectionState of DISCONNECTING or FAILED. This operation is valid for all other "
         "ConnectionState values."),
    Rule("R-KMS-CKS-06", "Connecting takes the time A-CKS-CONNECTING says, and ends CONNECTED, "
         "or FAILED with a ConnectionErrorCode, as A-CKS-BACKING says", BOTOCORE_MODELS,
         assumption="A-CKS-CONNECTING",
         quote="The connection process for a custom key store can take an extended amount of "
         "time to complete."),
    Rule("R-KMS-CKS-07", "Whether the backing CloudHSM cluster or external key store proxy "
         "answers is A-CKS-BACKING's: a store that cannot reach it ends FAILED", BOTOCORE_MODELS,
         assumption="A-CKS-BACKING",
         quote="A value of FAILED indicates that an attempt to connect was unsuccessful."),
    Rule("R-KMS-CKS-08", "CreateKey with Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE and "
         "CustomKeyStoreId creates a key in that store; its KeyMetadata has CustomKeyStoreId, "
         "and CloudHsmClusterId (CloudHSM) or XksKeyConfiguration {Id} (external)",
         BOTOCORE_MODELS,
         quote="A unique identifier for the custom key store that contains the KMS key. This "
         "field is present only when the KMS key is created in a custom key store."),
    Rule("R-KMS-CKS-09", "CreateKey in a custom key store that is not CONNECTED fails with "
         "CustomKeyStoreInvalidStateException", BOTOCORE_MODELS,
         quote="You requested the CreateKey operation in a custom key store that is not "
         "connected."),
    Rule("R-KMS-CKS-10", "When a custom key store disconnects, its keys are Unavailable: kmsim "
         "moves its Enabled and Disabled keys, as SPEC 3.1's sim:SetKeyUnavailable does",
         OBSERVED_UNAVAILABLE,
         quote="A CMK in a custom key store is Unavailable when the custom key store is "
         "intentionally disconnected from its AWS CloudHSM cluster."),
    Rule("R-KMS-CKS-11", "When the store is CONNECTED again, its Unavailable keys return to the "
         "state they had before (Enabled or Disabled)", SPEC,
         quote="models a disconnected custom key store; `sim:SetKeyAvailable` returns to the "
         "prior state"),
    Rule("R-KMS-CKS-12", "A CustomKeyStoreId that names no store of the account and Region "
         "fails with CustomKeyStoreNotFoundException", BOTOCORE_MODELS,
         quote="The request was rejected because KMS cannot find a custom key store with the "
         "specified key store name or ID."),
    Rule("R-KMS-CKS-13", "DisconnectCustomKeyStore makes the store DISCONNECTED; on a "
         "DISCONNECTED or DISCONNECTING store it fails with CustomKeyStoreInvalidStateException",
         BOTOCORE_MODELS,
         quote="You requested the DisconnectCustomKeyStore operation on a custom key store with "
         "a ConnectionState of DISCONNECTING or DISCONNECTED."),
    Rule("R-KMS-CKS-14", "UpdateCustomKeyStore on a store that is not DISCONNECTED may change "
         "only NewCustomKeyStoreName (and, for an external key store, XksProxyUriPath and "
         "XksProxyAuthenticationCredential), else CustomKeyStoreInvalidStateException",
         BOTOCORE_MODELS,
         quote="UpdateCustomKeyStore can be called on a custom key store in the CONNECTED state "
         "only to update NewCustomKeyStoreName."),
    Rule("R-KMS-CKS-15", "DeleteCustomKeyStore of a store that still has keys (not yet "
         "Deleted) fails with CustomKeyStoreHasCMKsException", BOTOCORE_MODELS,
         quote="The request was rejected because the custom key store contains KMS keys."),
    Rule("R-KMS-CKS-16", "DeleteCustomKeyStore of a store that is not DISCONNECTED fails with "
         "CustomKeyStoreInvalidStateException", BOTOCORE_MODELS,
         quote="You requested the UpdateCustomKeyStore or DeleteCustomKeyStore operation on a "
         "custom key store that is not disconnected."),
    Rule("R-KMS-CKS-17", "XksKeyId is required for Origin EXTERNAL_KEY_STORE and not valid with "
         "any other Origin; a violation is refused as A-CKS-PARAM-ERROR says", BOTOCORE_MODELS,
         assumption="A-CKS-PARAM-ERROR",
         quote="This parameter is required for a KMS key with an Origin value of "
         "EXTERNAL_KEY_STORE. It is not valid for KMS keys with any other Origin value."),
    Rule("R-KMS-CKS-18", "An external key already used by a key of the external key store is "
         "refused with XksKeyAlreadyInUseException", BOTOCORE_MODELS,
         quote="Each KMS key in an external key store must use a different external key."),
    Rule("R-KMS-CKS-19", "DescribeCustomKeyStores lists the stores of the account and Region, "
         "or the one CustomKeyStoreId or CustomKeyStoreName names (both at once is refused as "
         "A-CKS-PARAM-ERROR says)", BOTOCORE_MODELS, assumption="A-CKS-PARAM-ERROR",
         quote="To get only information about a particular custom key store, use either the "
         "CustomKeyStoreName or CustomKeyStoreId parameter (but not both)."),
    Rule("R-KMS-CKS-20", "The custom key store operations need their permission in an IAM "
         "policy (kms:CreateCustomKeyStore, ...)", BOTOCORE_MODELS,
         quote="Required permissions: kms:CreateCustomKeyStore (IAM policy)."),
    Rule("R-KMS-CKS-21", "The combined XksProxyUriEndpoint and XksProxyUriPath of an external "
         "key store already used in the account and Region is refused with "
         "XksProxyUriInUseException", BOTOCORE_MODELS,
         quote="The request was rejected because the concatenation of the XksProxyUriEndpoint "
         "and XksProxyUriPath is already associated with another external key store in this "
         "Amazon Web Services Region."),
    Rule("R-KMS-CKS-22", "CreateKey with Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE needs "
         "CustomKeyStoreId of a store of the same type, and a CustomKeyStoreId needs one of "
         "those origins; otherwise refused as A-CKS-PARAM-ERROR says", BOTOCORE_MODELS,
         assumption="A-CKS-PARAM-ERROR",
         quote="You must also use the CustomKeyStoreId parameter to identify the CloudHSM key "
         "store."),
    Rule("R-KMS-CKS-23", "A new custom key store is DISCONNECTED", BOTOCORE_MODELS,
         quote="The ConnectionState value is DISCONNECTED only if the key store has never been "
         "connected or you use the DisconnectCustomKeyStore operation to disconnect it."),
)

declare_assumptions(
    Assumption(
        id="A-CKS-CONNECTING",
        statement="How long a custom key store stays CONNECTING after ConnectCustomKeyStore "
        "(the documentation: 'can take an extended amount of time', R-KMS-CKS-06)",
        default="instant",
        alternatives=("fixed:",),
        meaning={"instant": "the store is CONNECTED (or FAILED) as the call returns",
                 "fixed:DURATION": "the store is CONNECTING for DURATION (e.g. fixed:20m); its "
                 "keys stay Unavailable until it is CONNECTED"},
    ),
    Assumption(
        id="A-CKS-BACKING",
        statement="Whether the CloudHSM cluster or external key store proxy a custom key store "
        "names exists and answers (kmsim simulates neither, R-KMS-CKS-07)",
        default="available",
        alternatives=("unreachable",),
        meaning={"available": "every cluster and proxy named exists, is active and answers",
                 "unreachable": "none answers: connecting ends FAILED (ConnectionErrorCode "
                 "NETWORK_ERRORS for CloudHSM, XKS_PROXY_NOT_REACHABLE for an external key "
                 "store)"},
    ),
    Assumption(
        id="A-CKS-PARAM-ERROR",
        statement="The error of a custom key store parameter combination the documentation "
        "rules out but names no error for (a missing required parameter of the store's type, "
        "XksKeyId with another Origin, CreateKey's Origin without a store of its type, both "
        "CustomKeyStoreId and CustomKeyStoreName)",
        default="validation",
        alternatives=("unsupported",),
        meaning={"validation": "ValidationException, as for a parameter constraint",
                 "unsupported": "UnsupportedOperationException, KMS's error for 'a specified "
                 "parameter is not supported'"},
    ),
)
