"""``kmsim serve``: the simulator behind the AWS wire protocols (SPEC 10, a contract).

One module per concern, each small:

- ``app``: the HTTP front (``http.server`` threads; one lock around the Simulator,
  which is single-writer) and routing;
- ``json_protocol``: awsJson1_1 - ``X-Amz-Target: TrentService.Op`` -> ``kms:Op``,
  ``Logs_20140328.Op`` -> ``logs:Op``, ``KmsimSim.Op`` -> ``sim:Op``;
- ``cbor_protocol``: smithy-rpc-v2-cbor - ``POST /service/GraniteServiceVersion20100801/
  operation/Op`` -> ``cloudwatch:Op``;
- ``protocols``: what the codecs share (request, response, the decoded call);
- ``status``: the one decision of every answer's HTTP status (``http_status``): errors
  are :class:`sim.errors.AwsError`, which carries a code and never a status;
- ``shapes``: botocore's service models (timestamps and blobs in CBOR, input types,
  modeled error statuses), used when botocore is installed;
- ``limits``: bounds on a body's structure (nesting, node count, CBOR tags), checked
  before any decoder builds it, so a small hostile body cannot cost seconds or memory;
- ``auth``: access key id -> principal, and SigV4 checks with botocore's signer (clock
  skew, credential scope, control endpoints);
- ``clock``: simulated or wall-driven time, and the instant of each request (after the
  previous event, so sequential requests never count as concurrent; the header
  ``x-kmsim-concurrent: true`` asks for the previous event's instant);
- ``control``: the ``/_kmsim/`` endpoints (clock, at, events, reset);
- ``other_services``: a request for a service kmsim does not simulate (STS, S3, ...),
  answered in that service's own protocol (query XML, REST-XML, JSON) so SDKs show a
  readable error (R-SRV-40 to R-SRV-43);
- ``requestlog``: ``kmsim serve -v``'s line per request (time, caller, operation,
  outcome, rule, event number).

The R-SRV-* rules the server's own refusals cite are declared in
``projections/rulebook/server.py``; every call is recorded through
``sim.recording`` (a call that cannot be recorded changes nothing).

The server is generic over the operation registry: whatever ``sim.services``
registers under ``kms:``, ``logs:``, ``cloudwatch:`` or ``sim:`` is served.
"""

from sim.server.app import KmsimApp, KmsimHTTPServer, RunningServer, is_loopback
from sim.server.auth import AuthConfig

__all__ = ["AuthConfig", "KmsimApp", "KmsimHTTPServer", "RunningServer", "is_loopback"]
