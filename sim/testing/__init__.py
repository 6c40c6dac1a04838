"""Testing code that uses KMS, CloudWatch Logs and CloudWatch with kmsim, in-process
(SPEC 12, a contract).

    from sim.testing import simulated_aws

    with simulated_aws() as aws:            # or @simulated_aws, or .start()/.stop()
        kms = boto3.client("kms")           # no endpoint_url: answered in-process
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        aws.advance("7d")
        assert aws.key_state(key) == "Deleted"   # at its DeletionDate

The pytest plugin (:mod:`sim.testing.plugin`, on by installing kmsim) gives the same
handle as the fixture ``kmsim`` (a fresh timeline per test) and ``kmsim_module``.
``simulated_server()`` (:mod:`sim.testing.server`) is a threaded ``kmsim serve`` for code
that needs a URL.
"""

from sim.testing.aws import (
    DEFAULT_ACCESS_KEY,
    DEFAULT_SECRET,
    SimulatedAws,
    current,
    simulated_aws,
)
from sim.testing.handle import Handle
from sim.testing.hooks import ANSWERED_HOST, NotSimulated, patch_client
from sim.testing.server import simulated_server

__all__ = ["ANSWERED_HOST", "DEFAULT_ACCESS_KEY", "DEFAULT_SECRET", "Handle", "NotSimulated",
           "SimulatedAws", "current", "patch_client", "simulated_aws", "simulated_server"]
