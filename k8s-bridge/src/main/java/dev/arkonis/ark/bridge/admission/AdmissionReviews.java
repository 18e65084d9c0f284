package dev.arkonis.ark.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.bridge.reconcile.RetrySeeds;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to an {@code admission.k8s.io/v1} AdmissionReview for an ark object: the object is
 * checked by {@link SpecValidator#validateStored} — the one validation path of {@code ark validate}
 * and the operator — and a problem denies the request with status 422 ({@code reason: Invalid}),
 * the located messages of {@code ark validate} ({@code Kind/name: field: what to do}; an API object
 * has no file line) and one {@code details.causes} entry per problem.
 *
 * <p>What is validated: CREATE, and an UPDATE that changes what the author wrote (apiVersion or
 * spec) of an object that is not being deleted — so finalizers, labels and annotations can always
 * be written to an object stored before the webhook existed, and such an object can always be
 * deleted. Other groups and operations are allowed untouched.
 */
public final class AdmissionReviews {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviews.class);

  /** API group of the ark kinds. */
  public static final String GROUP = "arkonis.dev";

  /** The AdmissionReview apiVersion answered. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  /** At most this many problems are listed in the message (all are in {@code details.causes}). */
  static final int MAX_MESSAGE_PROBLEMS = 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads an ArkTeam from the cluster: its JSON tree, or null when it does not exist. */
  @FunctionalInterface
  public interface TeamLookup {
    JsonNode team(String namespace, String name);

    /** Reads an ArkRun (the run a {@code spec.retryOf} names); null when it cannot be read. */
    default JsonNode run(String namespace, String name) {
      return null;
    }

    /** No cluster: ArkRun inputs are not checked. */
    TeamLookup NONE = (namespace, name) -> null;
  }

  private final SpecValidator validator;
  private final TeamLookup teams;

  /**
   * @param teams where an ArkRun's team is read, to check the run's inputs as {@code ark validate}
   *     does for a run next to its team (a run whose team does not exist yet is allowed)
   */
  public AdmissionReviews(SpecValidator validator, TeamLookup teams) {
    this.validator = validator;
    this.teams = teams;
  }

  /** A request that is not an AdmissionReview this webhook can answer. */
  public static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The AdmissionReview answering {@code review}.
   *
   * @throws Malformed when {@code review} is not an {@code admission.k8s.io/v1} AdmissionReview
   *     with a {@code request.uid}
   */
  public ObjectNode answer(JsonNode review) throws Malformed {
    if (review == null
        || !review.isObject()
        || !API_VERSION.equals(review.path("apiVersion").asText())
        || !"AdmissionReview".equals(review.path("kind").asText())) {
      throw new Malformed("expected an " + API_VERSION + " AdmissionReview");
    }
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (!request.isObject() || uid.isEmpty()) {
      throw new Malformed("the AdmissionReview has no request.uid");
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("uid", uid);
    ObjectNode status = deny(request);
    response.put("allowed", status == null);
    if (status != null) {
      response.set("status", status);
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("apiVersion", API_VERSION);
    answer.put("kind", "AdmissionReview");
    answer.set("response", response);
    return answer;
  }

  /** The Status denying the request, or null to allow it. */
  private ObjectNode deny(JsonNode request) throws Malformed {
    String operation = request.path("operation").asText();
    JsonNode object = request.path("object");
    if (!GROUP.equals(request.path("kind").path("group").asText())
        || !(operation.equals("CREATE") || operation.equals("UPDATE"))
        || !request.path("subResource").asText("").isEmpty()) {
      return null;
    }
    if (!object.isObject()) {
      throw new Malformed("the AdmissionReview has no request.object");
    }
    if (operation.equals("UPDATE") && !authoredChange(request.path("oldObject"), object)) {
      return null;
    }
    List<Problem> problems;
    try {
      JsonNode named = withName(object, request);
      problems = validator.validateStored(named);
      if (problems.isEmpty() && "ArkRun".equals(named.path("kind").asText())) {
        problems = runInputs(named, request.path("namespace").asText(""));
        if (problems.isEmpty() && operation.equals("CREATE")) {
          problems = retryOf(named, request.path("namespace").asText(""));
        }
      }
    } catch (RuntimeException e) {
      LOG.error("admission: cannot validate {}: {}", reference(request), e.toString(), e);
      return status(
          500,
          "InternalError",
          "cannot validate "
              + reference(request)
              + " because of an internal error in the ark admission webhook; see its log",
          request,
          List.of());
    }
    if (problems.isEmpty()) {
      return null;
    }
    return status(422, "Invalid", message(problems), request, problems);
  }

  /**
   * The problems of a run's {@code spec.input} against its team in the cluster: the check {@code
   * ark validate} makes for a run next to its team in one file.
   */
  private List<Problem> runInputs(JsonNode run, String requestNamespace) {
    String namespace = run.path("metadata").path("namespace").asText(requestNamespace);
    if (namespace.isEmpty()) {
      namespace = requestNamespace;
    }
    String teamName = run.path("spec").path("teamRef").path("name").asText("");
    JsonNode team = teamName.isEmpty() ? null : teams.team(namespace, teamName);
    if (team == null) {
      return List.of();
    }
    Manifest runManifest = Manifest.of(authored(run, namespace));
    List<Problem> problems =
        validator.validate(List.of(Manifest.of(authored(team, namespace)), runManifest));
    return problems.stream().filter(p -> p.object().equals(runManifest.object())).toList();
  }

  /** A retry of a run that has not finished is refused (its outputs are not final yet). */
  private List<Problem> retryOf(JsonNode run, String requestNamespace) {
    String old = run.path("spec").path("retryOf").path("run").asText("");
    if (old.isEmpty()) {
      return List.of();
    }
    String namespace = run.path("metadata").path("namespace").asText(requestNamespace);
    JsonNode retried = teams.run(namespace.isEmpty() ? requestNamespace : namespace, old);
    String unfinished =
        retried == null
            ? null
            : RetrySeeds.unfinished(old, retried.path("status").path("phase").asText(""));
    if (unfinished == null) {
      return List.of();
    }
    return List.of(
        new Problem(
            "",
            0,
            "ArkRun/" + run.path("metadata").path("name").asText(),
            "spec.retryOf.run",
            unfinished));
  }

  /** What an author wrote of a stored object: apiVersion, kind, name, namespace and spec. */
  private static ObjectNode authored(JsonNode object, String namespace) {
    ObjectNode user = JSON.createObjectNode();
    user.put("apiVersion", object.path("apiVersion").asText());
    user.put("kind", object.path("kind").asText());
    ObjectNode metadata = user.putObject("metadata");
    metadata.put("name", object.path("metadata").path("name").asText());
    metadata.put("namespace", namespace);
    if (object.has("spec")) {
      user.set("spec", object.path("spec").deepCopy());
    }
    return user;
  }

  /** Whether an UPDATE changes what the author wrote and the object is not being deleted. */
  private static boolean authoredChange(JsonNode old, JsonNode object) {
    if (object.path("metadata").hasNonNull("deletionTimestamp")) {
      return false;
    }
    return !old.isObject()
        || !Objects.equals(old.path("spec"), object.path("spec"))
        || !Objects.equals(old.path("apiVersion"), object.path("apiVersion"));
  }

  /**
   * The object with a name: on CREATE with {@code generateName} the API server has not picked one
   * yet in some versions; the request's name, then the prefix, stand in.
   */
  private static JsonNode withName(JsonNode object, JsonNode request) {
    JsonNode metadata = object.path("metadata");
    if (!metadata.path("name").asText("").isEmpty()) {
      return object;
    }
    String name = request.path("name").asText("");
    if (name.isEmpty()) {
      name = metadata.path("generateName").asText("");
    }
    if (name.isEmpty()) {
      return object;
    }
    ObjectNode copy = object.deepCopy();
    copy.with("metadata").put("name", name);
    return copy;
  }

  /** The problems as {@code ark validate} prints them, without file and line, one a line. */
  static String message(List<Problem> problems) {
    StringBuilder out = new StringBuilder();
    problems.stream()
        .limit(MAX_MESSAGE_PROBLEMS)
        .forEach(p -> out.append(out.length() == 0 ? "" : "\n").append(p.format()));
    if (problems.size() > MAX_MESSAGE_PROBLEMS) {
      out.append("\n(and ")
          .append(problems.size() - MAX_MESSAGE_PROBLEMS)
          .append(" more; run 'ark validate' on the file)");
    }
    return out.toString();
  }

  private static ObjectNode status(
      int code, String reason, String message, JsonNode request, List<Problem> problems) {
    ObjectNode status = JSON.createObjectNode();
    status.put("status", "Failure");
    status.put("code", code);
    status.put("reason", reason);
    status.put("message", message);
    ObjectNode details = status.putObject("details");
    details.put("group", GROUP);
    details.put("kind", request.path("kind").path("kind").asText());
    String name = name(request);
    if (!name.isEmpty()) {
      details.put("name", name);
    }
    if (!problems.isEmpty()) {
      ArrayNode causes = details.putArray("causes");
      for (Problem p : problems) {
        ObjectNode cause = causes.addObject();
        cause.put("reason", "FieldValueInvalid");
        cause.put("message", p.message());
        cause.put("field", p.field());
      }
    }
    return status;
  }

  private static String name(JsonNode request) {
    String name = request.path("object").path("metadata").path("name").asText("");
    return name.isEmpty() ? request.path("name").asText("") : name;
  }

  private static String reference(JsonNode request) {
    return request.path("kind").path("kind").asText() + "/" + name(request);
  }
}
