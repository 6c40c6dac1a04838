"""The key policy KMS gives a key created without one (R-KMS-35, R-IAM-07).

Apart from :mod:`projections.iam.policy` (which re-exports it) because it is data, not evaluation.
"""

from __future__ import annotations

import json


def default_key_policy_text(account: str) -> str:
    """The default key policy as GetKeyPolicy returns it (R-KMS-35): one statement letting
    the account root do ``kms:*``, in KMS's own layout."""
    return _DEFAULT_KEY_POLICY.replace("ACCOUNT", account)


def default_key_policy(account: str) -> dict:
    """:func:`default_key_policy_text` as a document: strings, not one-item lists."""
    return json.loads(default_key_policy_text(account))


# Verbatim from botocore's kms examples (GetKeyPolicy) and AWS's CloudTrail example of
# PutKeyPolicy: the layout is KMS's, so GetKeyPolicy answers the same text AWS does.
_DEFAULT_KEY_POLICY = """{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::ACCOUNT:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"""
