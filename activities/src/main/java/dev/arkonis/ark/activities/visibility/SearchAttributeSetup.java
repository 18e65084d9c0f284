package dev.arkonis.ark.activities.visibility;

import dev.arkonis.ark.workflows.api.RunSearchAttributes;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * Registers the run search attributes ({@link RunSearchAttributes}) on a Temporal namespace when
 * they are missing (OperatorService {@code ListSearchAttributes} + {@code AddSearchAttributes}),
 * and remembers per {@link WorkflowClient} whether they are there, so run starters set them only
 * where the server accepts them. On Temporal Cloud the client cannot add them: register them once
 * with {@code tcld namespace search-attributes add} (docs/operations.md); until then runs start
 * without them.
 */
public final class SearchAttributeSetup {
  private static final Map<WorkflowClient, Boolean> AVAILABLE =
      Collections.synchronizedMap(new WeakHashMap<>());

  private SearchAttributeSetup() {}

  /**
   * Adds the missing attributes to {@code namespace}; returns true when all of them are there
   * afterwards. A refusal (no permission, Temporal Cloud) is reported through {@code warn} once and
   * returns false.
   */
  public static boolean ensure(
      WorkflowServiceStubs service, String namespace, Consumer<String> warn) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .setHeaders(service.getOptions().getHeaders())
                .setGrpcMetadataProviders(service.getOptions().getGrpcMetadataProviders())
                .validateAndBuildWithDefaults());
    try {
      ListSearchAttributesResponse existing =
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
      Map<String, IndexedValueType> missing = new LinkedHashMap<>();
      RunSearchAttributes.ALL.forEach(
          (name, type) -> {
            if (!existing.getCustomAttributesMap().containsKey(name)) {
              missing.put(name, type);
            }
          });
      if (!missing.isEmpty()) {
        operator
            .blockingStub()
            .addSearchAttributes(
                AddSearchAttributesRequest.newBuilder()
                    .setNamespace(namespace)
                    .putAllSearchAttributes(missing)
                    .build());
      }
      return true;
    } catch (StatusRuntimeException e) {
      warn.accept(
          "search attributes "
              + String.join(", ", RunSearchAttributes.ALL.keySet())
              + " are not registered on Temporal namespace "
              + namespace
              + " and could not be added ("
              + e.getStatus().getCode()
              + ": "
              + e.getStatus().getDescription()
              + "); runs start without them. Register them (Temporal Cloud: 'tcld namespace"
              + " search-attributes add', see docs/operations.md) and restart");
      return false;
    }
  }

  /** Records whether workflows started through {@code client} may carry the attributes. */
  public static void markAvailable(WorkflowClient client, boolean available) {
    AVAILABLE.put(client, available);
  }

  /** True when the attributes were registered on the namespace of {@code client}. */
  public static boolean available(WorkflowClient client) {
    return Boolean.TRUE.equals(AVAILABLE.get(client));
  }

  /** Sets the run attributes on {@code options} when the client's namespace has them. */
  public static WorkflowOptions.Builder forRun(
      WorkflowOptions.Builder options,
      WorkflowClient client,
      String namespace,
      String team,
      String run) {
    if (available(client)) {
      options.setTypedSearchAttributes(RunSearchAttributes.atStart(namespace, team, run));
    }
    return options;
  }
}
