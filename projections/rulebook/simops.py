"""Rules for the simulator's own operations (service ``sim``)."""

from projections.rulebook.registry import SPEC, Rule, declare

declare(
    Rule("R-SIM-01", "sim:PutPrincipal records a principal's ARN and identity policy", SPEC,
         quote="Principals are IAM ARNs"),
    Rule("R-SIM-02", "sim:Label names the data item an earlier event wrote", SPEC,
         quote="names the data item this step writes"),
    Rule("R-SIM-03", "An operation kmsim does not simulate fails with UnknownOperationException",
         SPEC, quote="Unknown keys, unknown calls, bad times and bad references are input "
         "errors"),
    Rule("R-SIM-04", "A request parameter of the wrong type or a missing required parameter "
         "fails with the service's validation error", SPEC,
         quote="malformed requests get 4xx errors, never 5xx"),
)
