package dev.arkonis.ark.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.SpecValidator;
import org.junit.jupiter.api.Test;

class AdmissionReviewsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static final String BAD_TEAM =
      """
      {"apiVersion": "arkonis.dev/v1alpha1", "kind": "ArkTeam",
       "metadata": {"name": "entry-team", "namespace": "team-a", "uid": "1"},
       "spec": {"entry": "coordinater", "roles": [{"name": "coordinator", "model": "llama3.2"}]}}
      """;

  static final String GOOD_TEAM =
      """
      {"apiVersion": "arkonis.dev/v1alpha1", "kind": "ArkTeam",
       "metadata": {"name": "entry-team", "namespace": "team-a"},
       "spec": {"entry": "coordinator", "roles": [{"name": "coordinator", "model": "llama3.2"}]},
       "status": {"phase": "Ready"}}
      """;

  static final String BLOG_TEAM =
      """
      {"apiVersion": "arkonis.dev/v1alpha1", "kind": "ArkTeam",
       "metadata": {"name": "blog", "namespace": "team-a"},
       "spec": {"inputs": [{"name": "topic", "type": "string", "required": true,
                            "description": "The blog post topic."}],
                "roles": [{"name": "writer", "model": "llama3.2"}],
                "pipeline": [{"role": "writer"}]}}
      """;

  final AdmissionReviews reviews =
      new AdmissionReviews(
          new SpecValidator(),
          (namespace, name) -> {
            try {
              return namespace.equals("team-a") && name.equals("blog")
                  ? JSON.readTree(BLOG_TEAM)
                  : null;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });

  static ObjectNode review(String operation, String object, String oldObject) throws Exception {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
    request
        .putObject("kind")
        .put("group", "arkonis.dev")
        .put("version", "v1alpha1")
        .put("kind", "ArkTeam");
    request
        .putObject("resource")
        .put("group", "arkonis.dev")
        .put("version", "v1alpha1")
        .put("resource", "arkteams");
    request.put("namespace", "team-a");
    request.put("operation", operation);
    request.set("object", JSON.readTree(object));
    if (oldObject != null) {
      request.set("oldObject", JSON.readTree(oldObject));
    }
    return review;
  }

  @Test
  void anInvalidObjectIsDeniedWithTheMessageOfArkValidate() throws Exception {
    JsonNode answer = reviews.answer(review("CREATE", BAD_TEAM, null));

    assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = answer.path("response");
    assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(response.path("allowed").asBoolean(true)).isFalse();
    JsonNode status = response.path("status");
    assertThat(status.path("code").asInt()).isEqualTo(422);
    assertThat(status.path("reason").asText()).isEqualTo("Invalid");
    assertThat(status.path("status").asText()).isEqualTo("Failure");
    assertThat(status.path("message").asText())
        .isEqualTo(
            "ArkTeam/entry-team: spec.entry: unknown role \"coordinater\"; did you mean"
                + " \"coordinator\"?");
    assertThat(status.path("details").path("kind").asText()).isEqualTo("ArkTeam");
    assertThat(status.path("details").path("name").asText()).isEqualTo("entry-team");
    JsonNode cause = status.path("details").path("causes").get(0);
    assertThat(cause.path("field").asText()).isEqualTo("spec.entry");
    assertThat(cause.path("reason").asText()).isEqualTo("FieldValueInvalid");
    assertThat(cause.path("message").asText()).startsWith("unknown role \"coordinater\"");
  }

  /** Kinds not supported yet and invalid specs are refused, not stored and ignored. */
  @Test
  void anUnsupportedKindOrFieldIsDenied() throws Exception {
    String memory =
        """
        {"apiVersion": "arkonis.dev/v1alpha1", "kind": "ArkMemory",
         "metadata": {"name": "mem", "namespace": "team-a"},
         "spec": {"backend": "vector-store",
                  "vectorStore": {"provider": "qdrant", "endpoint": "http://qdrant:6333"}}}
        """;
    JsonNode status = reviews.answer(review("CREATE", memory, null)).path("response");
    assertThat(status.path("allowed").asBoolean(true)).isFalse();
    assertThat(status.path("status").path("message").asText())
        .isEqualTo(
            "ArkMemory/mem: spec.vectorStore.provider: not supported yet: vectorStore.provider"
                + " qdrant (use pgvector or in-memory; docs/memory.md); see docs/api-coverage.md");

    ObjectNode routed = (ObjectNode) JSON.readTree(GOOD_TEAM);
    routed.with("spec").putObject("routing").put("model", "gpt-4o");
    JsonNode response =
        reviews.answer(review("UPDATE", routed.toString(), GOOD_TEAM)).path("response");
    assertThat(response.path("allowed").asBoolean(true)).isFalse();
    assertThat(response.path("status").path("details").path("causes").get(0).path("field").asText())
        .isEqualTo("spec.routing");
    assertThat(response.path("status").path("message").asText())
        .contains("spec.routing: routed mode takes no roles, pipeline or entry");
  }

  @Test
  void aValidObjectIsAllowedWhateverItsStatus() throws Exception {
    JsonNode response = reviews.answer(review("CREATE", GOOD_TEAM, null)).path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("status")).isFalse();
  }

  @Test
  void anUpdateToAnInvalidSpecIsDenied() throws Exception {
    JsonNode response = reviews.answer(review("UPDATE", BAD_TEAM, GOOD_TEAM)).path("response");
    assertThat(response.path("allowed").asBoolean(true)).isFalse();
  }

  /** An object stored before the webhook existed still gets finalizers and can be deleted. */
  @Test
  void metadataOnlyUpdatesAndDeletionOfAnInvalidObjectAreAllowed() throws Exception {
    ObjectNode withFinalizer = (ObjectNode) JSON.readTree(BAD_TEAM);
    withFinalizer.with("metadata").putArray("finalizers").add("arkonis.dev/x");
    assertThat(
            reviews
                .answer(review("UPDATE", withFinalizer.toString(), BAD_TEAM))
                .path("response")
                .path("allowed")
                .asBoolean())
        .isTrue();

    ObjectNode deleting = (ObjectNode) JSON.readTree(BAD_TEAM);
    deleting.with("metadata").put("deletionTimestamp", "2026-11-30T10:00:00Z");
    ((ObjectNode) deleting.path("spec")).put("entry", "nobody");
    assertThat(
            reviews
                .answer(review("UPDATE", deleting.toString(), BAD_TEAM))
                .path("response")
                .path("allowed")
                .asBoolean())
        .isTrue();
  }

  @Test
  void otherGroupsOperationsAndSubresourcesAreAllowed() throws Exception {
    ObjectNode delete = review("DELETE", BAD_TEAM, null);
    assertThat(reviews.answer(delete).path("response").path("allowed").asBoolean()).isTrue();

    ObjectNode status = review("UPDATE", BAD_TEAM, GOOD_TEAM);
    ((ObjectNode) status.path("request")).put("subResource", "status");
    assertThat(reviews.answer(status).path("response").path("allowed").asBoolean()).isTrue();

    ObjectNode other = review("CREATE", "{\"kind\": \"ConfigMap\"}", null);
    ((ObjectNode) other.path("request").path("kind")).put("group", "");
    assertThat(reviews.answer(other).path("response").path("allowed").asBoolean()).isTrue();
  }

  @Test
  void aGeneratedNameIsValidatedWithItsPrefix() throws Exception {
    ObjectNode team = (ObjectNode) JSON.readTree(BAD_TEAM);
    team.with("metadata").remove("name");
    team.with("metadata").put("generateName", "entry-team-");
    JsonNode status =
        reviews.answer(review("CREATE", team.toString(), null)).path("response").path("status");
    assertThat(status.path("message").asText()).startsWith("ArkTeam/entry-team-: spec.entry:");
  }

  @Test
  void everyProblemIsListedUpToALimit() throws Exception {
    StringBuilder roles = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      roles.append(i == 0 ? "" : ",").append("{\"name\": \"r\", \"model\": \"m\"}");
    }
    String team =
        "{\"apiVersion\": \"arkonis.dev/v1alpha1\", \"kind\": \"ArkTeam\", \"metadata\": {\"name\":"
            + " \"dups\"}, \"spec\": {\"entry\": \"r\", \"roles\": ["
            + roles
            + "]}}";
    JsonNode status = reviews.answer(review("CREATE", team, null)).path("response").path("status");
    String message = status.path("message").asText();
    assertThat(message.lines().filter(l -> l.startsWith("ArkTeam/dups: ")))
        .hasSize(AdmissionReviews.MAX_MESSAGE_PROBLEMS);
    assertThat(message).endsWith("(and 4 more; run 'ark validate' on the file)");
    assertThat(status.path("details").path("causes")).hasSize(24);
  }

  @Test
  void aRunIsCheckedAgainstItsTeamInTheCluster() throws Exception {
    String run =
        "{\"apiVersion\": \"arkonis.dev/v1alpha1\", \"kind\": \"ArkRun\", \"metadata\": {\"name\":"
            + " \"blog-1\", \"namespace\": \"team-a\"}, \"spec\": {\"teamRef\": {\"name\": \"%s\"}%s}}";
    ObjectNode missingInput = review("CREATE", run.formatted("blog", ""), null);
    ((ObjectNode) missingInput.path("request").path("kind")).put("kind", "ArkRun");
    assertThat(
            reviews.answer(missingInput).path("response").path("status").path("message").asText())
        .startsWith(
            "ArkRun/blog-1: spec.input: missing required input \"topic\" (string: The blog"
                + " post topic.)");

    ObjectNode given =
        review("CREATE", run.formatted("blog", ", \"input\": {\"topic\": \"otters\"}"), null);
    assertThat(reviews.answer(given).path("response").path("allowed").asBoolean()).isTrue();
    // a run may be created before its team
    ObjectNode noTeam = review("CREATE", run.formatted("later", ""), null);
    assertThat(reviews.answer(noTeam).path("response").path("allowed").asBoolean()).isTrue();
  }

  @Test
  void aRetryOfARunThatHasNotFinishedIsDenied() throws Exception {
    AdmissionReviews withRuns =
        new AdmissionReviews(
            new SpecValidator(),
            new AdmissionReviews.TeamLookup() {
              @Override
              public com.fasterxml.jackson.databind.JsonNode team(String namespace, String name) {
                return null;
              }

              @Override
              public com.fasterxml.jackson.databind.JsonNode run(String namespace, String name) {
                String phase = name.equals("busy") ? "Running" : "Failed";
                return JSON.createObjectNode()
                    .set("status", JSON.createObjectNode().put("phase", phase));
              }
            });
    String run =
        "{\"apiVersion\": \"arkonis.dev/v1alpha1\", \"kind\": \"ArkRun\", \"metadata\": {\"name\":"
            + " \"again\", \"namespace\": \"team-a\"}, \"spec\": {\"teamRef\": {\"name\":"
            + " \"blog\"}, \"retryOf\": {\"run\": \"%s\"}}}";
    ObjectNode busy = review("CREATE", run.formatted("busy"), null);
    ((ObjectNode) busy.path("request").path("kind")).put("kind", "ArkRun");
    ObjectNode done = review("CREATE", run.formatted("done"), null);
    ((ObjectNode) done.path("request").path("kind")).put("kind", "ArkRun");

    ObjectNode denied = withRuns.answer(busy);

    assertThat(denied.path("response").path("allowed").asBoolean()).isFalse();
    assertThat(denied.path("response").path("status").path("message").asText())
        .startsWith(
            "ArkRun/again: spec.retryOf.run: ArkRun busy is still Running; only a finished run"
                + " (Succeeded, Failed, TimedOut, BudgetExceeded or Cancelled) can be retried");
    assertThat(withRuns.answer(done).path("response").path("allowed").asBoolean()).isTrue();
  }

  @Test
  void malformedReviewsAreRefusedWithAGenericMessage() throws Exception {
    assertThatThrownBy(() -> reviews.answer(JSON.readTree("[1]")))
        .isInstanceOf(AdmissionReviews.Malformed.class)
        .hasMessage("expected an admission.k8s.io/v1 AdmissionReview");
    ObjectNode v1beta1 = review("CREATE", GOOD_TEAM, null);
    v1beta1.put("apiVersion", "admission.k8s.io/v1beta1");
    assertThatThrownBy(() -> reviews.answer(v1beta1))
        .isInstanceOf(AdmissionReviews.Malformed.class);
    ObjectNode noUid = review("CREATE", GOOD_TEAM, null);
    ((ObjectNode) noUid.path("request")).remove("uid");
    assertThatThrownBy(() -> reviews.answer(noUid))
        .hasMessage("the AdmissionReview has no request.uid");
    ObjectNode noObject = review("CREATE", GOOD_TEAM, null);
    ((ObjectNode) noObject.path("request")).remove("object");
    assertThatThrownBy(() -> reviews.answer(noObject))
        .hasMessage("the AdmissionReview has no request.object");
  }
}
