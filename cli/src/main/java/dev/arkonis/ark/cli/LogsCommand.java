package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ark logs RUN}: a run's steps with their tool calls, outputs and messages, from its status.
 */
@Command(name = "logs", description = "Print a run's step outputs, tool calls and messages.")
final class LogsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN")
  String run;

  @Option(names = {"-n", "--namespace"})
  String namespace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (KubernetesClient client = Kube.client()) {
      String ns = Kube.namespace(client, namespace);
      ArkRun found = client.resources(ArkRun.class).inNamespace(ns).withName(run).get();
      if (found == null) {
        throw new UserError("ArkRun " + run + " not found in namespace " + ns);
      }
      JsonNode status =
          client.getKubernetesSerialization().convertValue(found, JsonNode.class).path("status");
      out.println(
          "Run "
              + run
              + ": "
              + status.path("phase").asText("Pending")
              + (status.hasNonNull("message") ? " — " + status.path("message").asText() : ""));
      for (JsonNode step : status.path("steps")) {
        out.println();
        out.println(
            "== "
                + step.path("name").asText()
                + " (role "
                + step.path("role").asText()
                + (step.hasNonNull("delegatedFrom")
                    ? ", delegated by " + step.path("delegatedFrom").asText()
                    : "")
                + ") "
                + step.path("phase").asText()
                + ", attempts "
                + step.path("attempts").asInt());
        if (step.hasNonNull("message")) {
          out.println("message: " + step.path("message").asText());
        }
        for (JsonNode call : step.path("toolCalls")) {
          out.println(
              "tool call: "
                  + RunPrinter.toolCall(
                      call.path("name").asText(),
                      call.path("arguments").asText(""),
                      call.path("outcome").asText(null),
                      call.path("result").asText(""),
                      0));
        }
        if (step.hasNonNull("output")) {
          out.println(step.path("output").asText());
        }
      }
      if (status.hasNonNull("output")) {
        out.println();
        out.println("== output");
        out.println(status.path("output").asText());
      }
      out.flush();
      return 0;
    }
  }
}
